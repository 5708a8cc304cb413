// The synthetic generator: labels consistent with the image, deterministic, and neither trivial
// nor noise (a threshold alone must not reproduce the labels).
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <array>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

namespace {

struct Stats {
  std::array<int64_t, 3> count{};  // labels 0, 1, 2
  double meanSheet = 0, meanBackground = 0;
  double bestThresholdF1 = 0;      // of "image > t" against label 1, over the best t
  double thickness = 0;            // 2 * sheet voxels / sheet faces: ~ voxels across a sheet
  int64_t largeSheets = 0;         // 6-connected label-1 components of at least 300 voxels
};

int64_t largeComponents(const VolumeU8& label, int64_t minVoxels) {
  const Shape3 s = label.shape;
  std::vector<uint8_t> seen(label.size(), 0);
  std::vector<size_t> stack;
  int64_t large = 0;
  for (size_t start = 0; start < label.size(); ++start) {
    if (label.data[start] != 1 || seen[start]) continue;
    int64_t size = 0;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      ++size;
      int64_t x = int64_t(i) % s.w, y = int64_t(i) / s.w % s.h, z = int64_t(i) / (s.w * s.h);
      const int64_t nb[6][3] = {{z - 1, y, x}, {z + 1, y, x}, {z, y - 1, x}, {z, y + 1, x}, {z, y, x - 1}, {z, y, x + 1}};
      for (auto& n : nb) {
        if (n[0] < 0 || n[1] < 0 || n[2] < 0 || n[0] >= s.d || n[1] >= s.h || n[2] >= s.w) continue;
        size_t j = label.index(n[0], n[1], n[2]);
        if (label.data[j] == 1 && !seen[j]) seen[j] = 1, stack.push_back(j);
      }
    }
    if (size >= minVoxels) ++large;
  }
  return large;
}

Stats statsOf(const SyntheticVolume& v) {
  Stats st;
  std::array<int64_t, 256> sheetHist{}, backHist{};
  double sumSheet = 0, sumBack = 0;
  int64_t faces = 0;
  const Shape3 s = v.label.shape;
  for (size_t i = 0; i < v.label.size(); ++i) {
    uint8_t l = v.label.data[i];
    if (l > 2) continue;
    ++st.count[l];
    if (l == 1) sumSheet += v.image.data[i], ++sheetHist[v.image.data[i]];
    if (l == 0) sumBack += v.image.data[i], ++backHist[v.image.data[i]];
  }
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x + 1 < s.w; ++x) {
        bool a = v.label.at(z, y, x) == 1, b = v.label.at(z, y, x + 1) == 1;
        faces += a != b;
        if (y + 1 < s.h) faces += a != (v.label.at(z, y + 1, x) == 1);
        if (z + 1 < s.d) faces += a != (v.label.at(z + 1, y, x) == 1);
      }
  st.meanSheet = sumSheet / double(std::max<int64_t>(1, st.count[1]));
  st.meanBackground = sumBack / double(std::max<int64_t>(1, st.count[0]));
  st.thickness = 2.0 * double(st.count[1]) / double(std::max<int64_t>(1, faces));
  // Best F1 of a global threshold, from the two histograms.
  int64_t sheetAbove = st.count[1], backAbove = st.count[0];
  for (int t = 0; t < 256; ++t) {
    double tp = double(sheetAbove), fp = double(backAbove), fn = double(st.count[1] - sheetAbove);
    st.bestThresholdF1 = std::max(st.bestThresholdF1, 2 * tp / std::max(1.0, 2 * tp + fp + fn));
    sheetAbove -= sheetHist[size_t(t)];
    backAbove -= backHist[size_t(t)];
  }
  st.largeSheets = largeComponents(v.label, 300);
  return st;
}

}  // namespace

class TestSyntheticScrolls : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sameSeedSameVolumeWhateverTheThreads() {
    auto a = generateSyntheticVolume({40, 48, 56}, 11, 1);
    auto b = generateSyntheticVolume({40, 48, 56}, 11, 3);
    QVERIFY(a.image.data == b.image.data);
    QVERIFY(a.label.data == b.label.data);
    auto c = generateSyntheticVolume({40, 48, 56}, 12, 2);
    QVERIFY(a.image.data != c.image.data);
    QVERIFY(a.label.data != c.label.data);
  }

  void labelsMatchTheImage_data() {
    QTest::addColumn<quint64>("seed");
    for (quint64 seed : {1, 2, 3, 4, 5}) QTest::addRow("seed %llu", seed) << seed;
  }
  void labelsMatchTheImage() {
    QFETCH(quint64, seed);
    const Shape3 shape{80, 96, 112};
    auto v = generateSyntheticVolume(shape, seed);
    QCOMPARE(v.image.shape, shape);
    QCOMPARE(v.label.shape, shape);
    for (uint8_t l : v.label.data) QVERIFY(l <= 2);

    // The 3-voxel border is "not annotated" (2); the layer just inside is not all 2.
    int64_t insideNot2 = 0;
    for (int64_t z = 0; z < shape.d; ++z)
      for (int64_t y = 0; y < shape.h; ++y)
        for (int64_t x = 0; x < shape.w; ++x) {
          int64_t depth = std::min({z, y, x, shape.d - 1 - z, shape.h - 1 - y, shape.w - 1 - x});
          if (depth < 3) QCOMPARE(int(v.label.at(z, y, x)), 2);
          else if (depth == 3 && v.label.at(z, y, x) != 2) ++insideNot2;
        }
    QVERIFY(insideNot2 > 0);

    Stats st = statsOf(v);
    const double total = double(shape.voxels());
    const double border = total - double((shape.d - 6) * (shape.h - 6) * (shape.w - 6));
    qInfo("seed %llu: surface %.3f, unlabeled blobs %.3f, sheet mean %.0f vs %.0f, thickness %.2f, "
          "best threshold F1 %.3f, %lld large sheets",
          seed, st.count[1] / total, (st.count[2] - border) / total, st.meanSheet, st.meanBackground,
          st.thickness, st.bestThresholdF1, (long long)st.largeSheets);
    QVERIFY(st.count[1] / total > 0.03 && st.count[1] / total < 0.4);      // sheets, not everything
    QVERIFY((st.count[2] - border) / total > 0.0005);                      // some unlabeled blobs
    QVERIFY((st.count[2] - border) / total < 0.15);
    QVERIFY(st.meanSheet > st.meanBackground + 40);                         // papyrus is bright
    QVERIFY(st.thickness > 1.2 && st.thickness < 4.0);                      // ~2 voxels thick
    QVERIFY(st.bestThresholdF1 > 0.5);                                      // learnable...
    QVERIFY(st.bestThresholdF1 < 0.95);                                     // ...but not by a threshold
    QVERIFY(st.largeSheets >= 2);                                           // several sheets
  }

  void fastEnough() {
    QElapsedTimer timer;
    timer.start();
    auto v = generateSyntheticVolume({128, 128, 128}, 3);
    qInfo("128^3 volume generated in %lld ms", (long long)timer.elapsed());
    QCOMPARE(v.image.size(), size_t(128 * 128 * 128));
  }

  void writesTheCompetitionLayout() {
    QTemporaryDir tmp = vwbtest::scratchDir();
    SynthOptions o;
    o.train = 3;
    o.test = 2;
    o.size = {24, 32, 40};
    o.seed = 9;
    o.scrolls = 2;
    const std::string a = tmp.filePath("a").toStdString(), b = tmp.filePath("b").toStdString();
    writeSyntheticDataset(a, o);
    writeSyntheticDataset(b, o);
    QFile csv(tmp.filePath("a/train.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QStringList lines = QString(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString("id,scroll_id"));
    QSet<QString> scrolls;
    for (int i = 1; i < lines.size(); ++i) {
      QStringList f = lines[i].split(',');
      QCOMPARE(f.size(), 2);
      scrolls.insert(f[1]);
      for (const char* folder : {"train_images", "train_labels"}) {
        QString p = tmp.filePath(QString("a/%1/%2.tif").arg(folder, f[0]));
        auto info = probeTiff(p.toStdString());
        QCOMPARE(info.shape, o.size);
        QCOMPARE(info.compression, TiffCompression::LZW);  // like the competition data
        QFile other(QString(p).replace("/a/", "/b/"));
        QFile self(p);
        QVERIFY(self.open(QIODevice::ReadOnly) && other.open(QIODevice::ReadOnly));
        QVERIFY2(self.readAll() == other.readAll(), "same seed, same bytes");
      }
    }
    QCOMPARE(scrolls.size(), 2);
    QCOMPARE(QDir(tmp.filePath("a/test_images")).entryList({"*.tif"}).size(), 2);
    QCOMPARE(QDir(tmp.filePath("a/test_labels")).entryList({"*.tif"}).size(), 2);
    QVERIFY(QFile::exists(tmp.filePath("a/test.csv")));
  }

  void refusesNonsenseOptions() {
    QTemporaryDir tmp = vwbtest::scratchDir();
    SynthOptions o;
    o.train = 0;
    o.test = 0;
    QVERIFY_THROWS_EXCEPTION(Error, writeSyntheticDataset(tmp.filePath("x").toStdString(), o));
    QVERIFY_THROWS_EXCEPTION(Error, generateSyntheticVolume({0, 4, 4}, 1));
  }
};

QTEST_APPLESS_MAIN(TestSyntheticScrolls)
#include "TestSyntheticScrolls.moc"
