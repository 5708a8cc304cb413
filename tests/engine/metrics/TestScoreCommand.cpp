// vwb score end to end: TIFF folders in, the documented JSON out.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
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
    // Nothing predicted: no split or merge either, so VOI_score stays 1; the sheet is one
    // component per octant it crosses, essential classes that TopoScore does not count.
    QCOMPARE(b["topo_score"].toDouble(), 1.0);
    QCOMPARE(b["score"].toDouble(), 0.65);
    for (const char* key : {"voi", "voi_split", "voi_merge"}) QCOMPARE(b[key].toDouble(), 0.0);
    const QJsonObject betti = a["betti"].toObject();
    for (const char* key : {"matched", "pred", "gt"}) QCOMPARE(betti[key].toArray().size(), 3);
    QCOMPARE(a["all_ignored"].toBool(), false);
    const QJsonObject mean = doc["mean"].toObject();
    QCOMPARE(mean["score"].toDouble(), (1.0 + 0.65) / 2);
    QVERIFY(!mean.contains("id"));
    QCOMPARE(doc["volumes_in_mean"].toInt(), 2);
  }

  void jsonCountsAndVoiSplitMerge() {
    // Label: one sheet in the first octant. Prediction: the sheet cut in two: a split, and one
    // component pair that GT lacks; nothing merged.
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    VolumeU8 label(Shape3{16, 16, 16});
    for (int64_t y = 1; y < 7; ++y)
      for (int64_t x = 1; x < 7; ++x) label.at(2, y, x) = 1;
    VolumeU8 pred = label;
    for (int64_t y = 1; y < 7; ++y) pred.at(2, y, 4) = 0;  // halves of 18 and 12 voxels
    writeVolumeU8(root + "/labels/c.tif", label);
    writeVolumeU8(root + "/pred/c.tif", pred);
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"score", "--pred", dir.path() + "/pred", "--labels",
                                                    dir.path() + "/labels", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject c = QJsonDocument::fromJson(r.out.toUtf8()).object()["volumes"].toArray()[0].toObject();
    const QJsonObject betti = c["betti"].toObject();
    QCOMPARE(betti["pred"].toArray()[0].toInt(), 1);
    QCOMPARE(betti["gt"].toArray()[0].toInt(), 0);
    QCOMPARE(betti["matched"].toArray()[0].toInt(), 0);
    QCOMPARE(c["voi_merge"].toDouble(), 0.0);
    // H(Pred|GT) over the 36 label voxels: parts of 18 and 12 (the halves) and 6 (the cut, label 0).
    const double split = -(18.0 / 36 * std::log2(18.0 / 36) + 12.0 / 36 * std::log2(12.0 / 36) +
                           6.0 / 36 * std::log2(6.0 / 36));
    QVERIFY2(std::abs(c["voi_split"].toDouble() - split) < 1e-12, qPrintable(QString::number(c["voi_split"].toDouble())));
    QVERIFY(c["topo_f1"].toArray()[1].isNull());
  }

  void badLabelValueNamesTheFile() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    VolumeU8 label(Shape3{4, 4, 4});
    label.at(1, 2, 3) = 7;
    writeVolumeU8(root + "/pred/a.tif", VolumeU8(label.shape));
    writeVolumeU8(root + "/labels/a.tif", label);
    const auto r = vwbtest::run(vwbtest::vwbExe(), {"score", "--pred", dir.path() + "/pred", "--labels",
                                                    dir.path() + "/labels"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("labels/a.tif: label holds the value 7 at z=1 y=2 x=3"), qPrintable(r.err));
  }

  void allIgnoredVolumeIsReportedAndLeftOut() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const std::string root = dir.path().toStdString();
    std::filesystem::create_directories(root + "/pred");
    std::filesystem::create_directories(root + "/labels");
    VolumeU8 label(Shape3{8, 8, 8});
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 8; ++x) label.at(4, y, x) = 1;
    writeVolumeU8(root + "/labels/a.tif", label);
    writeVolumeU8(root + "/pred/a.tif", VolumeU8(label.shape));  // misses the sheet: 0.65
    writeVolumeU8(root + "/labels/b.tif", VolumeU8(label.shape, 2));
    writeVolumeU8(root + "/pred/b.tif", label);
    const QStringList args{"score", "--pred", dir.path() + "/pred", "--labels", dir.path() + "/labels", "--json"};
    const auto r = vwbtest::run(vwbtest::vwbExe(), args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("b.tif: the label is 2 (unlabeled) everywhere; left out of the mean"), qPrintable(r.err));
    const QJsonObject doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(doc["volumes"].toArray()[1].toObject()["all_ignored"].toBool(), true);
    QCOMPARE(doc["left_out_of_mean"].toArray().size(), 1);
    QCOMPARE(doc["left_out_of_mean"].toArray()[0].toString(), QString("b"));
    QCOMPARE(doc["volumes_in_mean"].toInt(), 1);
    QCOMPARE(doc["mean"].toObject()["score"].toDouble(), 0.65);
    // Only ignored volumes: no mean at all, said so.
    std::filesystem::remove(root + "/labels/a.tif");
    std::filesystem::remove(root + "/pred/a.tif");
    const auto none = vwbtest::run(vwbtest::vwbExe(), args);
    QVERIFY2(none.exitCode == 0, qPrintable(none.err));
    QVERIFY(QJsonDocument::fromJson(none.out.toUtf8()).object()["mean"].isNull());
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
