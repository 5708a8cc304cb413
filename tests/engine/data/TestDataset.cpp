// The dataset scanner: every problem in one report, CSVs parsed leniently, nothing thrown for
// content problems.
#include <QDir>
#include <QFile>
#include <QtTest>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

class TestDataset : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  int counter_ = 0;

  // A fresh dataset folder with the given files; "x.tif" entries get a small uint8 volume.
  QString makeDataset(const QMap<QString, QByteArray>& texts, const QMap<QString, Shape3>& volumes,
                      const QMap<QString, uint8_t>& fill = {}) {
    QString root = tmp_.filePath(QString("ds%1").arg(counter_++));
    QDir().mkpath(root);
    for (auto it = texts.begin(); it != texts.end(); ++it) {
      QDir().mkpath(QFileInfo(root + "/" + it.key()).path());
      QFile f(root + "/" + it.key());
      if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write test file");
      f.write(it.value());
    }
    for (auto it = volumes.begin(); it != volumes.end(); ++it) {
      QDir().mkpath(QFileInfo(root + "/" + it.key()).path());
      VolumeU8 v(it.value(), fill.value(it.key(), 1));
      writeVolumeU8((root + "/" + it.key()).toStdString(), v, TiffCompression::LZW);
    }
    return root;
  }

  static bool anyContains(const std::vector<std::string>& list, const QString& a, const QString& b = {}) {
    for (auto& s : list) {
      QString q = QString::fromStdString(s);
      if (q.contains(a) && q.contains(b)) return true;
    }
    return false;
  }
  static QString dump(const Dataset& ds) { return QString::fromStdString(ds.report.format()); }

 private Q_SLOTS:
  void syntheticDatasetIsClean() {
    SynthOptions o;
    o.train = 3;
    o.test = 1;
    o.size = {24, 32, 40};
    const QString root = tmp_.filePath("synth");
    writeSyntheticDataset(root.toStdString(), o);
    // Older releases' folders and hidden files (macOS "._" forks) are ignored.
    QDir().mkpath(root + "/deprecated_train_images");
    for (const char* name : {"/deprecated_train_images/1.tif", "/train_images/._1.tif"}) {
      QFile junk(root + name);
      QVERIFY(junk.open(QIODevice::WriteOnly));
      junk.write("junk");
    }
    Dataset ds = scanDataset(root.toStdString() + "/");
    QVERIFY2(ds.report.ok() && ds.report.warnings.empty(), qPrintable(dump(ds)));
    QCOMPARE(QString::fromStdString(ds.root), root);
    QCOMPARE(ds.train.size(), size_t(3));
    QCOMPARE(ds.test.size(), size_t(1));
    for (auto& e : ds.train) {
      QCOMPARE(e.shape, o.size);
      QVERIFY(!e.scrollId.empty());
      QVERIFY(QFile::exists(QString::fromStdString(e.labelPath)));
      QVERIFY(QString::fromStdString(e.imagePath).startsWith(root + "/train_images/"));
    }
    QVERIFY(ds.test[0].labelPath.empty());
    QCOMPARE(QString(ds.report.format().c_str()), QString("no problems found\n"));
  }

  // Every problem at once, each reported, none hiding another.
  void everyProblemIsReported() {
    const Shape3 s{4, 6, 8};
    QString root = makeDataset(
        {{"train.csv", "id,scroll_id\n1,100\n2,100\n3,100\n5,200\n6,200\n7,200\n"},
         {"test.csv", "id,scroll_id\n20,300\n21,300\n"},
         {"train_images/7.tif", "this is not a tiff"},
         {"train_images/notes.txt", "ignored"}},
        {{"train_images/1.tif", s}, {"train_labels/1.tif", s},             // fine
         {"train_images/2.tif", s},                                        // label missing
         // 3: in the CSV only
         {"train_images/4.tif", s}, {"train_labels/4.tif", s},             // no CSV row
         {"train_images/5.tif", s}, {"train_labels/5.tif", {4, 6, 9}},     // shape mismatch
         {"train_images/6.tif", s}, {"train_labels/6.tif", s},             // label value 3
         {"train_labels/7.tif", s},
         {"train_labels/8.tif", s},                                        // label without image
         {"test_images/20.tif", s}},                                       // 21: CSV only
        {{"train_labels/6.tif", 3}});
    Dataset ds = scanDataset(root.toStdString());
    const auto& r = ds.report;
    const QString all = dump(ds);
    QVERIFY2(anyContains(r.errors, "volume 2", "no label"), qPrintable(all));
    QVERIFY2(anyContains(r.errors, "volume 5", "4x6x9"), qPrintable(all));
    QVERIFY2(anyContains(r.errors, "train_labels/6.tif", "outside {0,1,2} (3)"), qPrintable(all));
    QVERIFY2(anyContains(r.errors, "train_images/7.tif", "not a TIFF"), qPrintable(all));
    QCOMPARE(int(r.errors.size()), 4);
    QVERIFY2(anyContains(r.warnings, "train.csv lists id 3"), qPrintable(all));
    QVERIFY2(anyContains(r.warnings, "train_images/4.tif", "no row in train.csv"), qPrintable(all));
    QVERIFY2(anyContains(r.warnings, "train_labels/8.tif", "no image"), qPrintable(all));
    QVERIFY2(anyContains(r.warnings, "test.csv lists id 21"), qPrintable(all));
    QCOMPARE(int(r.warnings.size()), 4);
    QVERIFY(!r.ok());
    // Messages name files relative to the dataset, and the volumes are still listed in id order.
    QVERIFY(!all.contains(root));
    QStringList ids;
    for (auto& e : ds.train) ids << QString::fromStdString(e.id);
    QCOMPARE(ids, QStringList({"1", "2", "4", "5", "6", "7"}));
    QCOMPARE(QString::fromStdString(ds.train[0].scrollId), QString("100"));
    QVERIFY(ds.train[3].shape == s);  // entries keep their shapes despite the label problem

    // Without reading label values, the value problem is not seen (and nothing else changes).
    Dataset quick = scanDataset(root.toStdString(), false);
    QCOMPARE(int(quick.report.errors.size()), 3);
  }

  void csvVariantsParse_data() {
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("warnings");
    QTest::newRow("plain") << QByteArray("id,scroll_id\n10,7\n9,8\n") << 0;
    QTest::newRow("CRLF, spaces, BOM") << QByteArray("\xEF\xBB\xBF id , scroll_id \r\n 10 , 7 \r\n\r\n9,8\r\n") << 0;
    QTest::newRow("quoted, columns swapped, extra column") << QByteArray("\"scroll_id\",\"id\",note\n\"7\",\"10\",x\n8,9,y") << 0;
    QTest::newRow("no header") << QByteArray("10,7\n9,8\n") << 1;
  }
  void csvVariantsParse() {
    QFETCH(QByteArray, csv);
    QFETCH(int, warnings);
    const Shape3 s{2, 3, 4};
    QString root = makeDataset({{"train.csv", csv}},
                               {{"train_images/9.tif", s}, {"train_labels/9.tif", s},
                                {"train_images/10.tif", s}, {"train_labels/10.tif", s}});
    Dataset ds = scanDataset(root.toStdString());
    QVERIFY2(ds.report.ok(), qPrintable(dump(ds)));
    QCOMPARE(int(ds.report.warnings.size()), warnings);
    QCOMPARE(ds.train.size(), size_t(2));
    QCOMPARE(QString::fromStdString(ds.train[0].id), QString("9"));  // numeric order
    QCOMPARE(QString::fromStdString(ds.train[0].scrollId), QString("8"));
    QCOMPARE(QString::fromStdString(ds.train[1].scrollId), QString("7"));
  }

  void malformedCsvLinesAreErrors() {
    const Shape3 s{2, 3, 4};
    QString root = makeDataset({{"train.csv", "id,scroll_id\n1,5\n2\n1,6\n,7\n"}},
                               {{"train_images/1.tif", s}, {"train_labels/1.tif", s}});
    Dataset ds = scanDataset(root.toStdString());
    const QString all = dump(ds);
    QVERIFY2(anyContains(ds.report.errors, "train.csv line 3", "found 1"), qPrintable(all));
    QVERIFY2(anyContains(ds.report.errors, "train.csv line 4", "repeats line 2"), qPrintable(all));
    QVERIFY2(anyContains(ds.report.errors, "train.csv line 5", "empty id"), qPrintable(all));
    QCOMPARE(QString::fromStdString(ds.train[0].scrollId), QString("5"));
  }

  void missingPiecesOfTheLayout() {
    const Shape3 s{2, 3, 4};
    Dataset noLabels = scanDataset(makeDataset({}, {{"train_images/1.tif", s}}).toStdString());
    QVERIFY(anyContains(noLabels.report.errors, "train_labels/ folder is missing"));
    QCOMPARE(int(noLabels.report.errors.size()), 1);
    QVERIFY(anyContains(noLabels.report.warnings, "train.csv is missing"));

    Dataset empty = scanDataset(makeDataset({{"readme.txt", "hi"}}, {}).toStdString());
    QVERIFY(anyContains(empty.report.errors, "no train_images/ or test_images/"));

    QVERIFY_THROWS_EXCEPTION(Error, scanDataset(tmp_.filePath("no-such-dataset").toStdString()));
    QFile file(tmp_.filePath("plain-file"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    QVERIFY_THROWS_EXCEPTION(Error, scanDataset(file.fileName().toStdString()));
  }

  void uint16ImagesAreErrors() {
    const Shape3 s{2, 3, 4};
    QString root = makeDataset({}, {{"test_images/1.tif", s}});
    auto r = vwbtest::python("import numpy as np, tifffile, sys; tifffile.imwrite(sys.argv[1], np.zeros((2, 3, 4), np.uint16), photometric='minisblack')",
                             {root + "/test_images/2.tif"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    Dataset ds = scanDataset(root.toStdString());
    QVERIFY2(anyContains(ds.report.errors, "test_images/2.tif", "uint16"), qPrintable(dump(ds)));
    QCOMPARE(ds.test.size(), size_t(2));
  }

  void cancellationStopsTheScan() {
    const Shape3 s{2, 3, 4};
    QString root = makeDataset({}, {{"train_images/1.tif", s}, {"train_labels/1.tif", s}});
    CancelToken cancel;
    cancel.cancel();
    QVERIFY_THROWS_EXCEPTION(Cancelled, scanDataset(root.toStdString(), true, nullptr, &cancel));
  }
};

QTEST_APPLESS_MAIN(TestDataset)
#include "TestDataset.moc"
