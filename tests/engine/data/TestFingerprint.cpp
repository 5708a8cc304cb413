// The dataset fingerprint: exact statistics (checked against numpy), JSON round trip, and a
// cache that is used when the files are unchanged and ignored when it cannot be written.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/data/Fingerprint.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

class TestFingerprint : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();

  // Two train volumes of different shapes with skewed intensities, one test volume; labels with
  // known counts. The raw intensities also go to train.raw for numpy.
  QString makeDataset(const QString& name) {
    QString root = tmp_.filePath(name);
    for (const char* d : {"train_images", "train_labels", "test_images"}) QDir().mkpath(root + "/" + d);
    QFile raw(root + "/train.raw");
    raw.open(QIODevice::WriteOnly);
    const Shape3 shapes[2] = {{4, 10, 12}, {6, 8, 9}};
    for (int i = 0; i < 2; ++i) {
      VolumeU8 image(shapes[i]), label(shapes[i]);
      for (size_t v = 0; v < image.size(); ++v) {
        image.data[v] = uint8_t((v * v * 7 + v * 13 + size_t(i) * 31) % 251);
        if (v % 5 == 0) image.data[v] = 200;  // a heavy peak, so percentiles are not uniform
        label.data[v] = uint8_t(v % 10 == 0 ? 1 : v % 10 == 1 ? 2 : 0);
      }
      raw.write(reinterpret_cast<const char*>(image.data.data()), qint64(image.size()));
      writeVolumeU8(QString("%1/train_images/%2.tif").arg(root).arg(i).toStdString(), image, TiffCompression::LZW);
      writeVolumeU8(QString("%1/train_labels/%2.tif").arg(root).arg(i).toStdString(), label, TiffCompression::LZW);
    }
    writeVolumeU8((root + "/test_images/9.tif").toStdString(), VolumeU8({3, 3, 3}, 5), TiffCompression::None);
    QFile csv(root + "/train.csv");
    csv.open(QIODevice::WriteOnly);
    csv.write("id,scroll_id\n0,111\n1,222\n");
    return root;
  }

 private Q_SLOTS:
  void statisticsAreExact() {
    const QString root = makeDataset("exact");
    Dataset ds = scanDataset(root.toStdString());
    QVERIFY2(ds.report.ok(), ds.report.format().c_str());
    DatasetFingerprint f = computeFingerprint(ds);
    QCOMPARE(f.trainVolumes, 2);
    QCOMPARE(f.testVolumes, 1);
    QCOMPARE(f.scrolls, 2);
    QCOMPARE(f.shapes.size(), size_t(3));
    QCOMPARE(f.minShape, (Shape3{3, 3, 3}));
    QCOMPARE(f.maxShape, (Shape3{6, 10, 12}));
    QCOMPARE(f.totalTrainVoxels, int64_t(480 + 432));
    // Labels: v % 10 == 0 -> 1, == 1 -> 2, in volumes of 480 and 432 voxels (48 + 44 each).
    QCOMPARE(f.fractionSurface, 92.0 / 912.0);
    QCOMPARE(f.fractionUnlabeled, 92.0 / 912.0);
    QCOMPARE(f.fractionBackground, 728.0 / 912.0);

    auto r = vwbtest::python(
        "import numpy as np, sys; a = np.fromfile(sys.argv[1], dtype=np.uint8).astype(np.float64)\n"
        "print(' '.join(repr(float(x)) for x in (*np.percentile(a, [0.5, 50, 99.5]), a.mean(), a.std())))",
        {root + "/train.raw"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QStringList numpy = r.out.trimmed().split(' ');
    QCOMPARE(numpy.size(), 5);
    const double ours[5] = {f.intensityP005, f.intensityP50, f.intensityP995, f.intensityMean, f.intensityStd};
    for (int i = 0; i < 5; ++i)
      // Both sides compute in double from the same integer histogram; 1e-9 covers the
      // different summation order (values < 256, 1e6 voxels: ~1e-10 absolute) and printing.
      QVERIFY2(std::abs(ours[i] - numpy[i].toDouble()) < 1e-9,
               qPrintable(QString("statistic %1: ours %2, numpy %3").arg(i).arg(ours[i], 0, 'g', 17).arg(numpy[i])));
  }

  void jsonRoundTrip() {
    Dataset ds = scanDataset(makeDataset("json").toStdString());
    DatasetFingerprint f = computeFingerprint(ds);
    DatasetFingerprint g = DatasetFingerprint::fromJson(f.toJson());
    QCOMPARE(g.toJson(), f.toJson());
    QCOMPARE(g.intensityP995, f.intensityP995);
    QCOMPARE(g.shapes.size(), f.shapes.size());
    QVERIFY_THROWS_EXCEPTION(Error, DatasetFingerprint::fromJson("{not json"));
    QVERIFY_THROWS_EXCEPTION(Error, DatasetFingerprint::fromJson("{\"version\": 1}"));
  }

  void cacheIsUsedUntilFilesChange() {
    const QString root = makeDataset("cache");
    Dataset ds = scanDataset(root.toStdString());
    DatasetFingerprint first = loadOrComputeFingerprint(ds);
    const QString cachePath = root + "/.vwb/fingerprint.json";
    QVERIFY(QFile::exists(cachePath));
    QVERIFY(QDir(root + "/.vwb").entryList({"fingerprint.json.tmp*"}, QDir::Files).isEmpty());

    // Tamper with the cached value: if the cache is used, the tampered value comes back.
    QFile cache(cachePath);
    QVERIFY(cache.open(QIODevice::ReadOnly));
    auto j = nlohmann::json::parse(cache.readAll().toStdString());
    cache.close();
    j["fingerprint"]["trainVolumes"] = 99;
    QVERIFY(cache.open(QIODevice::WriteOnly | QIODevice::Truncate));
    cache.write(QByteArray::fromStdString(j.dump()));
    cache.close();
    QCOMPARE(loadOrComputeFingerprint(ds).trainVolumes, 99);

    // Rewriting a volume (new size and time) invalidates the cache.
    writeVolumeU8((root + "/train_images/0.tif").toStdString(), VolumeU8({4, 10, 12}, 255), TiffCompression::None);
    DatasetFingerprint again = loadOrComputeFingerprint(scanDataset(root.toStdString()));
    QCOMPARE(again.trainVolumes, 2);
    QVERIFY(again.intensityMean > first.intensityMean);

    // A corrupt cache is recomputed, not an error.
    QVERIFY(cache.open(QIODevice::WriteOnly | QIODevice::Truncate));
    cache.write("garbage");
    cache.close();
    QCOMPARE(loadOrComputeFingerprint(ds).trainVolumes, 2);
  }

  void unwritableCacheIsNotAnError() {
    const QString root = makeDataset("nocache");
    QFile blocker(root + "/.vwb");  // a file where the cache folder would go
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Dataset ds = scanDataset(root.toStdString());
    QCOMPARE(loadOrComputeFingerprint(ds).trainVolumes, 2);
    QVERIFY(QFileInfo(root + "/.vwb").isFile());
  }

  void readOnlyDatasetIsNotAnError() {
    if (geteuid() == 0) QSKIP("running as root: a read-only folder is still writable (see unwritableCacheIsNotAnError)");
    const QString root = makeDataset("readonly");
    Dataset ds = scanDataset(root.toStdString());
    QVERIFY(QFile::setPermissions(root, QFile::ReadOwner | QFile::ExeOwner));
    DatasetFingerprint f = loadOrComputeFingerprint(ds);
    QFile::setPermissions(root, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QCOMPARE(f.trainVolumes, 2);
    QVERIFY(!QFile::exists(root + "/.vwb"));
  }
};

QTEST_APPLESS_MAIN(TestFingerprint)
#include "TestFingerprint.moc"
