// vwb score end to end: TIFF folders in, the documented JSON out.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <filesystem>

#include "TestSupport.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

class TestScoreCommand : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void jsonPerVolumeAndMean() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    VolumeU8 label(Shape3{16, 16, 16});
    for (int64_t y = 2; y < 14; ++y)
      for (int64_t x = 2; x < 14; ++x) label.at(8, y, x) = label.at(9, y, x) = 1;
    writeVolumeU8(root + "/labels/a.tif", label);
    writeVolumeU8(root + "/labels/b.tif", label);
    writeVolumeU8(root + "/pred/a.tif", label);                 // perfect
    writeVolumeU8(root + "/pred/b.tif", VolumeU8(label.shape));  // nothing found
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"score", "--pred", dir.path() + "/pred", "--labels",
                                                    dir.path() + "/labels", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QJsonArray volumes = doc["volumes"].toArray();
    QCOMPARE(volumes.size(), 2);
    const QJsonObject a = volumes[0].toObject(), b = volumes[1].toObject();
    QCOMPARE(a["id"].toString(), QString("a"));
    for (const char* key : {"surface_dice", "voi_score", "topo_score", "score"}) QCOMPARE(a[key].toDouble(), 1.0);
    QCOMPARE(b["surface_dice"].toDouble(), 0.0);
    QCOMPARE(b["topo_score"].toDouble(), 0.0);
    // Nothing predicted: no split or merge either, so VOI_score stays 1.
    QCOMPARE(b["score"].toDouble(), 0.35);
    const QJsonObject mean = doc["mean"].toObject();
    QCOMPARE(mean["score"].toDouble(), (1.0 + 0.35) / 2);
    QVERIFY(!mean.contains("id"));
  }

  void missingLabelIsAnError() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    writeVolumeU8(root + "/pred/7.tif", VolumeU8(Shape3{4, 4, 4}));
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"score", "--pred", dir.path() + "/pred", "--labels",
                                                    dir.path() + "/labels"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no label for prediction id(s): 7"), qPrintable(r.err));
  }

  void labeledOnlyScoresTheLabeledSubset() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    VolumeU8 mask(Shape3{8, 8, 8});
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 8; ++x) mask.at(4, y, x) = 1;
    writeVolumeU8(root + "/pred/a.tif", mask);
    writeVolumeU8(root + "/labels/a.tif", mask);
    writeVolumeU8(root + "/pred/test9.tif", mask);  // a test volume: no label
    const QStringList args{"score", "--pred", dir.path() + "/pred", "--labels", dir.path() + "/labels", "--json"};
    QCOMPARE(vwbtest::run(vwbtest::vwbExe(), args).exitCode, 1);
    const auto r = vwbtest::run(vwbtest::vwbExe(), args + QStringList{"--labeled-only"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("not scored") && r.err.contains("test9"), qPrintable(r.err));
    const QJsonArray volumes = QJsonDocument::fromJson(r.out.toUtf8()).object()["volumes"].toArray();
    QCOMPARE(volumes.size(), 1);
    QCOMPARE(volumes[0].toObject()["id"].toString(), QString("a"));
    QCOMPARE(volumes[0].toObject()["score"].toDouble(), 1.0);
  }
};

QTEST_APPLESS_MAIN(TestScoreCommand)
#include "TestScoreCommand.moc"
