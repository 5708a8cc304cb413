// Every kind of bad input gives a vwb::Error that names the file and says what is wrong —
// never a crash, a libtiff message on stderr, or a silently short volume.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include "TestSupport.h"
#include "TiffTestUtil.h"
#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;

namespace {

// Files only tifffile writes easily: wrong sample layouts and bit depths.
const char* kBadFilesScript = R"PY(
import os, sys
import numpy as np, tifffile
d = sys.argv[1]
w = lambda name, a, **kw: tifffile.imwrite(os.path.join(d, name), a, **kw)
w('rgb.tif', np.zeros((2, 8, 8, 3), np.uint8), photometric='rgb')
w('two_channels.tif', np.zeros((2, 2, 8, 8), np.uint8), photometric='minisblack', planarconfig='separate')
w('int16.tif', np.zeros((2, 8, 8), np.int16), photometric='minisblack')
w('uint32.tif', np.zeros((2, 8, 8), np.uint32), photometric='minisblack')
w('float64.tif', np.zeros((2, 8, 8), np.float64), photometric='minisblack')
w('palette.tif', np.zeros((2, 8, 8), np.uint8), photometric='palette',
  colormap=np.zeros((3, 256), np.uint16))
w('deflate.tif', (np.arange(4 * 64 * 64) % 251).astype(np.uint8).reshape(4, 64, 64),
  photometric='minisblack', compression='zlib')
w('single.tif', (np.arange(64 * 64) % 251).astype(np.uint8).reshape(1, 64, 64), photometric='minisblack')
)PY";

}  // namespace

class TestTiffBadInput : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();

  std::string path(const QString& name) const { return tmp_.filePath(name).toStdString(); }

  void writeBytes(const QString& name, const QByteArray& bytes) {
    QFile f(tmp_.filePath(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
  }
  QByteArray readBytes(const QString& name) {
    QFile f(tmp_.filePath(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
  }

  // The call must throw vwb::Error whose message starts with the file and contains `phrase`.
  void expectError(const std::function<void()>& call, const std::string& file, const QString& phrase) {
    try {
      call();
    } catch (const Error& e) {
      QString msg = e.what();
      QVERIFY2(msg.startsWith(QString::fromStdString(file)), qPrintable("message does not name the file: " + msg));
      QVERIFY2(msg.contains(phrase, Qt::CaseInsensitive), qPrintable("expected '" + phrase + "' in: " + msg));
      return;
    }
    QFAIL(qPrintable("no error for " + QString::fromStdString(file)));
  }
  // probeTiff and all readers agree on the error.
  void expectReadError(const QString& name, const QString& phrase) {
    const std::string p = path(name);
    expectError([&] { probeTiff(p); }, p, phrase);
    expectError([&] { readVolumeU8(p); }, p, phrase);
    expectError([&] { readVolumeF32(p); }, p, phrase);
  }

 private Q_SLOTS:
  void initTestCase() {
    auto r = vwbtest::python(kBadFilesScript, {tmp_.path()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    writeVolumeU8(path("u8_64.tif"), iotest::patternVolume({4, 64, 64}), TiffCompression::None);
    writeVolumeU8(path("u8_lzw.tif"), iotest::patternVolume({4, 64, 64}), TiffCompression::LZW);
  }

  void notATiff() {
    writeBytes("text.tif", "hello, this is not an image\n");
    expectReadError("text.tif", "not a TIFF");
    writeBytes("png.tif", QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    expectReadError("png.tif", "not a TIFF");
    writeBytes("badversion.tif", QByteArray("II\x07\0\x08\0\0\0", 8));
    expectReadError("badversion.tif", "not a TIFF");
  }

  void emptyFile() {
    writeBytes("empty.tif", {});
    expectReadError("empty.tif", "empty");
  }

  void missingFile() { expectReadError("does-not-exist.tif", "No such file"); }

  void directoryInsteadOfFile() {
    QVERIFY(QDir(tmp_.path()).mkpath("folder.tif"));
    expectReadError("folder.tif", "is a directory");
  }

  void zeroPages() {
    writeBytes("nopages.tif", QByteArray("II*\0\0\0\0\0", 8));
    expectReadError("nopages.tif", "no pages");
    writeBytes("nopages_big.tif", QByteArray("II+\0\x08\0\0\0\0\0\0\0\0\0\0\0", 16));
    expectReadError("nopages_big.tif", "no pages");
  }

  void truncatedFiles_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("keep");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("inside the header") << "u8_64.tif" << 6 << "truncated";
    QTest::newRow("before the first directory") << "u8_64.tif" << 100 << "truncated";
    // Ours: data then directory per page, so the chain of pages breaks.
    QTest::newRow("after two pages") << "u8_64.tif" << 2 * 4096 + 400 << "truncated";
    QTest::newRow("lzw, mid-volume") << "u8_lzw.tif" << -1 << "truncated";
    // tifffile: first directory, then all pixel data, then the other directories.
    QTest::newRow("tifffile, end cut") << "deflate.tif" << -600 << "breaks after page 2";
    QTest::newRow("tifffile, single page, data cut") << "single.tif" << -600 << "cannot decode strip 0 of 1";
  }
  void truncatedFiles() {
    QFETCH(QString, source);
    QFETCH(int, keep);
    QFETCH(QString, phrase);
    QByteArray bytes = readBytes(source);
    QVERIFY(!bytes.isEmpty());
    QString name = QString("cut_%1_%2").arg(keep).arg(source);
    writeBytes(name, keep > 0 ? bytes.left(keep) : keep == -1 ? bytes.left(bytes.size() / 2) : bytes.left(bytes.size() + keep));
    expectError([&] { readVolumeU8(path(name)); }, path(name), phrase);
  }

  void corruptCompressedData() {
    // Deflate has a checksum: flipped bytes in a strip must be caught, not decoded as garbage.
    QByteArray bytes = readBytes("deflate.tif");
    for (int i = 400; i < 460; ++i) bytes[i] = char(bytes[i] ^ 0x5a);
    writeBytes("corrupt_deflate.tif", bytes);
    expectError([&] { readVolumeU8(path("corrupt_deflate.tif")); }, path("corrupt_deflate.tif"), "cannot decode strip");
  }

  void pagesOfDifferentSize() {
    if (iotest::tiffcp().isEmpty()) QSKIP("tiffcp (libtiff-tools) is not installed");
    writeVolumeU8(path("small.tif"), iotest::patternVolume({2, 20, 30}), TiffCompression::None);
    QString err = iotest::runTiffcp({tmp_.filePath("u8_64.tif"), tmp_.filePath("small.tif"), tmp_.filePath("mixed.tif")});
    QVERIFY2(err.isEmpty(), qPrintable(err));
    expectReadError("mixed.tif", "page 4 is 20x30");
  }

  void pagesOfDifferentDtype() {
    if (iotest::tiffcp().isEmpty()) QSKIP("tiffcp (libtiff-tools) is not installed");
    auto r = vwbtest::python("import numpy as np, tifffile, sys; tifffile.imwrite(sys.argv[1], np.zeros((1, 64, 64), np.uint16), photometric='minisblack')",
                             {tmp_.filePath("u16_64.tif")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QString err = iotest::runTiffcp({tmp_.filePath("u8_64.tif"), tmp_.filePath("u16_64.tif"), tmp_.filePath("mixed_dtype.tif")});
    QVERIFY2(err.isEmpty(), qPrintable(err));
    expectReadError("mixed_dtype.tif", "uint16");
  }

  void multiSampleAndPalette_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("rgb") << "rgb.tif" << "3 samples per pixel (RGB)";
    QTest::newRow("planar channels") << "two_channels.tif" << "2 samples per pixel";
    QTest::newRow("palette") << "palette.tif" << "palette";
  }
  void multiSampleAndPalette() {
    QFETCH(QString, name);
    QFETCH(QString, phrase);
    expectReadError(name, phrase);
  }

  void unsupportedBitDepth_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("int16") << "int16.tif" << "16-bit signed integer";
    QTest::newRow("uint32") << "uint32.tif" << "32-bit unsigned integer";
    QTest::newRow("float64") << "float64.tif" << "64-bit floating-point";
  }
  void unsupportedBitDepth() {
    QFETCH(QString, name);
    QFETCH(QString, phrase);
    expectReadError(name, phrase);
  }

  void unreadablePermissions() {
    if (geteuid() == 0) QSKIP("running as root: root reads any file regardless of its permissions");
    writeVolumeU8(path("locked.tif"), iotest::patternVolume({1, 4, 4}), TiffCompression::None);
    QVERIFY(::chmod(path("locked.tif").c_str(), 0) == 0);
    expectReadError("locked.tif", "Permission denied");
  }

  void sliceFolderProblems() {
    QDir root(tmp_.filePath("slices"));
    auto makeFolder = [&](const QString& name, const QStringList& files, vwb::Shape3 oddSize = {}) {
      QVERIFY(root.mkpath(name));
      for (const QString& f : files) {
        Shape3 s = f == files.last() && !oddSize.empty() ? oddSize : Shape3{1, 8, 8};
        writeVolumeU8(root.filePath(name + "/" + f).toStdString(), iotest::patternVolume(s), TiffCompression::None);
      }
    };
    makeFolder("gap", {"00.tif", "01.tif", "03.tif"});
    makeFolder("duplicate", {"1.tif", "01.tif", "00.tif"});
    makeFolder("size", {"00.tif", "01.tif"}, {1, 8, 9});
    makeFolder("multipage", {"00.tif", "01.tif"}, {2, 8, 8});
    makeFolder("none", {"notes.tif"});
    auto dir = [&](const QString& n) { return root.filePath(n).toStdString(); };
    expectError([&] { readSliceFolderU8(dir("gap")); }, dir("gap"), "slice 2 is missing");
    expectError([&] { readSliceFolderU8(dir("duplicate")); }, dir("duplicate"), "two files for slice 1");
    expectError([&] { readSliceFolderU8(dir("size")); }, dir("size") + "/01.tif", "all slices must agree");
    expectError([&] { readSliceFolderU8(dir("multipage")); }, dir("multipage") + "/01.tif", "has 2 pages");
    expectError([&] { readSliceFolderU8(dir("none")); }, dir("none"), "no numbered slices");
    expectError([&] { readSliceFolderU8(path("u8_64.tif")); }, path("u8_64.tif"), "not a folder");
  }
};

QTEST_APPLESS_MAIN(TestTiffBadInput)
#include "TestTiffBadInput.moc"
