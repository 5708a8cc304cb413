// Volume IO round trips and cross-checks with the tools the real data comes from: files written
// by tifffile and converted by libtiff's tiffcp must read back voxel for voxel, and tifffile must
// read ours.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <atomic>
#include <thread>

#include "TestSupport.h"
#include "TiffTestUtil.h"
#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

namespace {

// Writes <name>.tif variants and <name>.bin (raw reference) for uint8, uint16 and float32,
// plus a folder of uint16 slices.
const char* kFixtureScript = R"PY(
import os, sys
import numpy as np, tifffile
d = sys.argv[1]
rng = np.random.default_rng(7)
shape = (5, 37, 53)
u8 = rng.integers(0, 256, shape, dtype=np.uint8)
u8[:, :9, :] = 17                                   # runs for PackBits/LZW
u8[:, 20:, :] = (np.arange(53) * 3 % 256).astype(np.uint8)
u16 = rng.integers(0, 65536, shape, dtype=np.uint16)
f32 = rng.standard_normal(shape).astype(np.float32) * 1000
for name, a in (('u8', u8), ('u16', u16), ('f32', f32)):
    a.tofile(os.path.join(d, name + '.bin'))
    def save(suffix, **kw):
        tifffile.imwrite(os.path.join(d, name + suffix + '.tif'), a, photometric='minisblack', **kw)
    save('')
    save('_deflate', compression='zlib')
    save('_tiled', tile=(16, 32))
    save('_big', bigtiff=True)
    save('_be', byteorder='>')
    save('_rps1', rowsperstrip=1)
    save('_rps5', rowsperstrip=5, compression='zlib')
os.makedirs(os.path.join(d, 'slices16'))
for z in range(u16.shape[0]):
    tifffile.imwrite(os.path.join(d, 'slices16', '%02d.tif' % z), u16[z], photometric='minisblack')
)PY";

// Reads files we wrote (argv[2:]) and compares each with the raw reference argv[1].
const char* kCheckScript = R"PY(
import sys
import numpy as np, tifffile
ref = np.fromfile(sys.argv[1], dtype=np.uint8)
for path in sys.argv[2:]:
    a = tifffile.imread(path)
    assert a.dtype == np.uint8, (path, a.dtype)
    assert a.size == ref.size and np.array_equal(a.ravel(), ref), path
    print(path, 'x'.join(map(str, a.shape)), int(a.astype(np.int64).sum()))
)PY";

template <class T>
bool sameAsRaw(const std::vector<T>& got, const std::vector<T>& raw) {
  return got.size() == raw.size() && std::memcmp(got.data(), raw.data(), raw.size() * sizeof(T)) == 0;
}

}  // namespace

class TestTiffVolume : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString fixture_;

  QString file(const QString& name) const { return tmp_.filePath(name); }
  std::string path(const QString& name) const { return file(name).toStdString(); }

  // Reads name.tif with the reader for its dtype and compares with the raw reference.
  void checkAgainstRaw(const QString& tif, const QString& kind) {
    const std::string p = (fixture_ + "/" + tif).toStdString();
    const QString raw = fixture_ + "/" + kind + ".bin";
    const Shape3 shape{5, 37, 53};
    if (kind == "u8") {
      auto v = readVolumeU8(p);
      QCOMPARE(v.shape, shape);
      QVERIFY(sameAsRaw(v.data, iotest::readRaw<uint8_t>(raw)));
    } else if (kind == "u16") {
      auto v = readVolumeU16(p);
      QCOMPARE(v.shape, shape);
      QVERIFY(sameAsRaw(v.data, iotest::readRaw<uint16_t>(raw)));
    } else {
      auto v = readVolumeF32(p);
      QCOMPARE(v.shape, shape);
      QVERIFY(sameAsRaw(v.data, iotest::readRaw<float>(raw)));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    fixture_ = file("fixture");
    QVERIFY(QDir().mkpath(fixture_));
    auto r = vwbtest::python(kFixtureScript, {fixture_});
    QVERIFY2(r.exitCode == 0, qPrintable("tifffile fixture failed: " + r.err));
  }

  void roundTripEveryCompression_data() {
    QTest::addColumn<QString>("name");
    for (const char* c : {"none", "lzw", "deflate", "packbits", "zstd"}) QTest::newRow(c) << c;
  }
  void roundTripEveryCompression() {
    QFETCH(QString, name);
    auto compression = parseCompression(name.toStdString());
    if (!compressionAvailable(compression)) QSKIP("this libtiff was built without the codec");
    auto original = iotest::patternVolume({6, 45, 70}, 3);
    const std::string p = path("rt_" + name + ".tif");
    writeVolumeU8(p, original, compression);
    QVERIFY(QDir(tmp_.path()).entryList({"rt_" + name + ".tif.tmp*"}, QDir::Files).isEmpty());
    auto info = probeTiff(p);
    QCOMPARE(info.shape, original.shape);
    QCOMPARE(info.dtype, DType::U8);
    QCOMPARE(QString(compressionName(info.compression)), name);
    QVERIFY(!info.tiled && !info.bigTiff);
    auto back = readVolumeU8(p);
    QCOMPARE(back.shape, original.shape);
    QVERIFY(back.data == original.data);
    auto asFloat = readVolumeF32(p);
    for (size_t i = 0; i < original.size(); i += 97) QCOMPARE(asFloat.data[i], float(original.data[i]));
  }

  void roundTripOddShapes_data() {
    QTest::addColumn<QString>("shape");
    // One voxel; rows wider than a 64 KiB strip; a single page; many thin pages.
    for (const char* s : {"1x1x1", "2x3x70000", "1x129x257", "40x2x3"}) QTest::newRow(s) << s;
  }
  void roundTripOddShapes() {
    QFETCH(QString, shape);
    auto original = iotest::patternVolume(Shape3::parse(shape.toStdString()), 5);
    const std::string p = path("odd_" + shape + ".tif");
    writeVolumeU8(p, original, TiffCompression::LZW);
    auto back = readVolumeU8(p);
    QCOMPARE(back.shape, original.shape);
    QVERIFY(back.data == original.data);
  }

  void overwriteReplacesWholeFile() {
    const std::string p = path("overwrite.tif");
    writeVolumeU8(p, iotest::patternVolume({8, 64, 64}, 1), TiffCompression::None);
    auto second = iotest::patternVolume({2, 10, 12}, 2);
    writeVolumeU8(p, second, TiffCompression::Deflate);
    auto back = readVolumeU8(p);
    QCOMPARE(back.shape, second.shape);
    QVERIFY(back.data == second.data);
  }

  void readsTifffileFiles_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("suffix");
    for (const char* kind : {"u8", "u16", "f32"})
      for (const char* suffix : {"", "_deflate", "_tiled", "_big", "_be", "_rps1", "_rps5"})
        QTest::addRow("%s%s", kind, suffix) << kind << suffix;
  }
  void readsTifffileFiles() {
    QFETCH(QString, kind);
    QFETCH(QString, suffix);
    checkAgainstRaw(kind + suffix + ".tif", kind);
    auto info = probeTiff((fixture_ + "/" + kind + suffix + ".tif").toStdString());
    QCOMPARE(info.bigTiff, suffix == "_big");
    QCOMPARE(info.tiled, suffix == "_tiled");
    if (info.tiled) QCOMPARE(info.tileHeight * 1000 + info.tileWidth, int64_t(16032));
    if (suffix == "_rps5") QCOMPARE(info.rowsPerStrip, int64_t(5));
    QCOMPARE(info.compression, suffix.contains("deflate") || suffix == "_rps5" ? TiffCompression::Deflate
                                                                              : TiffCompression::None);
  }

  void readsTiffcpFlavours_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("options");
    QTest::addColumn<QString>("compression");
    for (const char* kind : {"u8", "u16", "f32"}) {
      QTest::addRow("%s lzw", kind) << kind << "-c lzw" << "lzw";
      QTest::addRow("%s lzw+predictor", kind) << kind << (QString(kind) == "f32" ? "-c lzw:3" : "-c lzw:2") << "lzw";
      QTest::addRow("%s packbits", kind) << kind << "-c packbits" << "packbits";
      QTest::addRow("%s zstd", kind) << kind << "-c zstd" << "zstd";
      QTest::addRow("%s zip", kind) << kind << "-c zip" << "deflate";
      QTest::addRow("%s tiled lzw", kind) << kind << "-t -w 32 -l 32 -c lzw" << "lzw";
      QTest::addRow("%s 3 rows/strip lzw", kind) << kind << "-r 3 -c lzw" << "lzw";
      QTest::addRow("%s bigtiff lzw", kind) << kind << "-8 -c lzw" << "lzw";
      QTest::addRow("%s big-endian tiled zip", kind) << kind << "-B -t -w 16 -l 48 -c zip" << "deflate";
    }
  }
  void readsTiffcpFlavours() {
    QFETCH(QString, kind);
    QFETCH(QString, options);
    QFETCH(QString, compression);
    if (iotest::tiffcp().isEmpty()) QSKIP("tiffcp (libtiff-tools) is not installed");
    if (!compressionAvailable(parseCompression(compression.toStdString()))) QSKIP("codec not in this libtiff");
    QString out = kind + "_" + QString(QTest::currentDataTag()).replace(QRegularExpression("[^a-z0-9]+"), "_") + ".tif";
    QString err = iotest::runTiffcp(options.split(' ') + QStringList{fixture_ + "/" + kind + ".tif", fixture_ + "/" + out});
    QVERIFY2(err.isEmpty(), qPrintable(err));
    checkAgainstRaw(out, kind);
    auto info = probeTiff((fixture_ + "/" + out).toStdString());
    QCOMPARE(QString(compressionName(info.compression)), compression);
    QCOMPARE(info.tiled, options.contains("-t"));
    QCOMPARE(info.bigTiff, options.contains("-8"));
    if (options.contains("-r 3")) QCOMPARE(info.rowsPerStrip, int64_t(3));
  }

  void readsAnyDtypeAsFloat() {
    auto u8 = readVolumeF32((fixture_ + "/u8_tiled.tif").toStdString());
    auto raw8 = iotest::readRaw<uint8_t>(fixture_ + "/u8.bin");
    auto u16 = readVolumeF32((fixture_ + "/u16_be.tif").toStdString());
    auto raw16 = iotest::readRaw<uint16_t>(fixture_ + "/u16.bin");
    QCOMPARE(u8.size(), raw8.size());
    QCOMPARE(u16.size(), raw16.size());
    for (size_t i = 0; i < raw8.size(); ++i) {
      if (u8.data[i] != float(raw8[i]) || u16.data[i] != float(raw16[i]))
        QFAIL(qPrintable(QString("voxel %1 differs").arg(i)));
    }
  }

  void dtypeSpecificReadersRefuseOtherDtypes() {
    try {
      readVolumeU8((fixture_ + "/u16.tif").toStdString());
      QFAIL("reading uint16 as uint8 must fail");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("u16.tif") && QString(e.what()).contains("uint16"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, readVolumeU16((fixture_ + "/f32.tif").toStdString()));
  }

  void tifffileReadsOurFiles() {
    auto original = iotest::patternVolume({7, 33, 41}, 9);
    QFile raw(file("ours.bin"));
    QVERIFY(raw.open(QIODevice::WriteOnly));
    raw.write(reinterpret_cast<const char*>(original.data.data()), qint64(original.size()));
    raw.close();
    QStringList files;
    for (const char* c : {"none", "deflate", "packbits"}) {
      files << file(QString("ours_%1.tif").arg(c));
      writeVolumeU8(files.last().toStdString(), original, parseCompression(c));
    }
    // tifffile cannot decode LZW/ZSTD without imagecodecs: let libtiff's tiffcp unpack ours first.
    for (const char* c : {"lzw", "zstd"}) {
      if (iotest::tiffcp().isEmpty() || !compressionAvailable(parseCompression(c))) continue;
      QString packed = file(QString("ours_%1.tif").arg(c));
      writeVolumeU8(packed.toStdString(), original, parseCompression(c));
      files << file(QString("ours_%1_unpacked.tif").arg(c));
      QString err = iotest::runTiffcp({"-c", "none", packed, files.last()});
      QVERIFY2(err.isEmpty(), qPrintable(err));
    }
    auto r = vwbtest::python(kCheckScript, QStringList{file("ours.bin")} + files);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.count("7x33x41"), files.size());
  }

  void sliceFolderSortsNumerically() {
    QDir dir(file("slices"));
    QVERIFY(dir.mkpath("."));
    auto original = iotest::patternVolume({12, 20, 24}, 4);
    for (int z = 0; z < 12; ++z) {  // 0.tif ... 11.tif: "10" sorts before "2" as text
      VolumeU8 slice({1, 20, 24});
      std::copy_n(original.data.begin() + z * 480, 480, slice.data.begin());
      writeVolumeU8(dir.filePath(QString("%1.tif").arg(z)).toStdString(), slice, TiffCompression::LZW);
    }
    QFile notes(dir.filePath("notes.txt"));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.write("not a slice");
    notes.close();
    auto back = readSliceFolderU8(dir.path().toStdString());
    QCOMPARE(back.shape, original.shape);
    QVERIFY(back.data == original.data);
    auto info = probeSliceFolder(dir.path().toStdString());
    QCOMPARE(info.shape, original.shape);
    QCOMPARE(info.compression, TiffCompression::LZW);
  }

  void sliceFolderReducesUint16ToHighByte() {
    auto volume = readSliceFolderU8((fixture_ + "/slices16").toStdString());
    auto raw = iotest::readRaw<uint16_t>(fixture_ + "/u16.bin");
    QCOMPARE(volume.shape, (Shape3{5, 37, 53}));
    QCOMPARE(volume.size(), raw.size());
    for (size_t i = 0; i < raw.size(); ++i)
      if (volume.data[i] != raw[i] >> 8) QFAIL(qPrintable(QString("voxel %1 differs").arg(i)));
  }

  // Training reads from several threads: results and error messages must not leak between them.
  void concurrentReadsKeepTheirOwnErrors() {
    const std::string good = (fixture_ + "/u8_deflate.tif").toStdString();
    const std::string bad = path("concurrent_bad.tif");
    {
      QFile f(QString::fromStdString(bad));
      QVERIFY(f.open(QIODevice::WriteOnly));
      QFile src(QString::fromStdString(good));
      QVERIFY(src.open(QIODevice::ReadOnly));
      f.write(src.readAll().left(3000));  // truncated copy
    }
    const auto expected = readVolumeU8(good).data;
    std::atomic<int> wrong{0}, goodReads{0}, badReads{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 15; ++i) {
          const bool readBad = (t + i) % 2 == 1;
          try {
            auto v = readVolumeU8(readBad ? bad : good);
            if (readBad || v.data != expected) ++wrong;
            else ++goodReads;
          } catch (const Error& e) {
            std::string msg = e.what();
            if (!readBad || msg.find(bad) != 0) ++wrong;
            else ++badReads;
          }
        }
      });
    for (auto& th : threads) th.join();
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(goodReads.load() + badReads.load(), 90);
  }

  void writeFailureLeavesNothingBehind() {
    const std::string p = path("no-such-folder/out.tif");
    try {
      writeVolumeU8(p, iotest::patternVolume({2, 4, 4}), TiffCompression::None);
      QFAIL("writing into a missing folder must fail");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("no-such-folder/out.tif"), e.what());
    }
    QVERIFY(!QFile::exists(file("no-such-folder")));
    QVERIFY_THROWS_EXCEPTION(Error, writeVolumeU8(path("empty.tif"), VolumeU8({0, 4, 4})));
    QVERIFY(!QFile::exists(file("empty.tif")) && QDir(tmp_.path()).entryList({"empty.tif.tmp*"}, QDir::Files).isEmpty());
  }

  void compressionNames() {
    QCOMPARE(parseCompression("LZW"), TiffCompression::LZW);
    QCOMPARE(parseCompression("zip"), TiffCompression::Deflate);
    QCOMPARE(parseCompression("none"), TiffCompression::None);
    QVERIFY_THROWS_EXCEPTION(Error, parseCompression("jpeg2000"));
    QVERIFY(!compressionAvailable(TiffCompression::Other));
  }
};

QTEST_APPLESS_MAIN(TestTiffVolume)
#include "TestTiffVolume.moc"
