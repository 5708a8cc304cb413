// submission.zip: written, then opened by Python's zipfile + tifffile; every kind of bad input
// refused with all its problems listed and no zip left behind.
#include <QtTest>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/export/SubmissionIds.h"
#include "engine/export/SubmissionWriter.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;
namespace fs = std::filesystem;

namespace {

VolumeU8 pattern(Shape3 s, int seed, int modulo) {
  VolumeU8 v(s);
  for (size_t i = 0; i < v.size(); ++i) v.data[i] = static_cast<uint8_t>((i * 7 + seed * 13 + i / 5) % modulo);
  return v;
}

// test_images/{1,22}.tif and matching pred/{1,22}.tif masks.
struct Layout {
  QTemporaryDir dir = vwbtest::scratchDir();
  std::string root = dir.path().toStdString();
  std::string images = root + "/test_images", pred = root + "/pred", out = root + "/out";
  std::string expected = root + "/expected";
  Layout() {
    fs::create_directories(images);
    fs::create_directories(pred);
    fs::create_directories(out);
    writeVolumeU8(images + "/1.tif", pattern({6, 7, 8}, 1, 256));
    writeVolumeU8(images + "/22.tif", pattern({5, 9, 4}, 2, 256));
    // An LZW prediction (which Debian's tifffile cannot decode) must come out readable.
    writeVolumeU8(pred + "/1.tif", pattern({6, 7, 8}, 3, 2), TiffCompression::LZW);
    writeVolumeU8(pred + "/22.tif", pattern({5, 9, 4}, 4, 2));
    fs::create_directories(expected);
    writeVolumeU8(expected + "/1.tif", pattern({6, 7, 8}, 3, 2), TiffCompression::None);
    writeVolumeU8(expected + "/22.tif", pattern({5, 9, 4}, 4, 2), TiffCompression::None);
  }
  std::string zip() const { return out + "/submission.zip"; }
  // What is left in out/: must stay empty after a refused or failed export.
  int leftovers() const { return int(std::distance(fs::directory_iterator(out), fs::directory_iterator())); }
};

bool mentions(const SubmissionCheck& c, const std::string& text) {
  for (const auto& p : c.problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

QString problemsOf(const SubmissionCheck& c) {
  QString s;
  for (const auto& p : c.problems) s += QString::fromStdString(p) + "\n";
  return s;
}

}  // namespace

class TestSubmission : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesZipThatPythonReads() {
    Layout l;
    const SubmissionCheck check = checkSubmission(l.pred, l.images);
    QVERIFY2(check.ok(), qPrintable(problemsOf(check)));
    QCOMPARE(check.entries.size(), size_t(2));
    QVERIFY(writeSubmission(check, l.zip()) > 0);
    QCOMPARE(l.leftovers(), 1);  // the zip only: no temporary pieces
    const auto r = vwbtest::python(
        "import sys, io, zipfile, tifffile, numpy as np\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "assert z.testzip() is None\n"
        "assert sorted(z.namelist()) == ['1.tif', '22.tif'], z.namelist()\n"
        "for n in z.namelist():\n"
        "    a = tifffile.imread(io.BytesIO(z.read(n)))\n"
        "    ref = tifffile.imread(sys.argv[2] + '/' + n)\n"
        "    img = tifffile.imread(sys.argv[3] + '/' + n)\n"
        "    assert a.dtype == np.uint8 and a.shape == img.shape, (n, a.dtype, a.shape)\n"
        "    assert set(np.unique(a)) <= {0, 1} and np.array_equal(a, ref), n\n"
        "print('ok')\n",
        {QString::fromStdString(l.zip()), QString::fromStdString(l.expected), QString::fromStdString(l.images)});
    QVERIFY2(r.exitCode == 0 && r.out.contains("ok"), qPrintable(r.err + r.out));
  }

  void idsFromCsv() {
    Layout l;
    writeVolumeU8(l.images + "/333.tif", pattern({2, 2, 2}, 5, 256));  // not listed: not needed
    std::ofstream(l.root + "/test.csv") << "id,scroll_id\n1,34117\n\"22\",35360\n\n";
    const SubmissionCheck check = checkSubmission(l.pred, l.images, l.root + "/test.csv");
    QVERIFY2(check.ok(), qPrintable(problemsOf(check)));
    QCOMPARE(check.entries.size(), size_t(2));
  }

  void everyProblemListed() {
    Layout l;
    fs::remove(l.pred + "/1.tif");                                  // missing id
    writeVolumeU8(l.pred + "/22.tif", pattern({5, 9, 3}, 4, 2));    // wrong shape
    const SubmissionCheck check = checkSubmission(l.pred, l.images);
    QCOMPARE(check.problems.size(), size_t(2));
    QVERIFY(mentions(check, "no prediction for test id '1'"));
    QVERIFY(mentions(check, "is 5x9x3 (DxHxW), the test image is 5x9x4"));
    QVERIFY_THROWS_EXCEPTION(Error, writeSubmission(check, l.zip()));
    QCOMPARE(l.leftovers(), 0);
  }

  void wrongDtypeAndValuesRefused() {
    Layout l;
    const auto r = vwbtest::python(
        "import sys, numpy as np, tifffile\n"
        "tifffile.imwrite(sys.argv[1], np.ones((6, 7, 8), np.uint16))\n",
        {QString::fromStdString(l.pred + "/1.tif")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    writeVolumeU8(l.pred + "/22.tif", pattern({5, 9, 4}, 4, 256));  // a probability map, not 0/1
    const SubmissionCheck check = checkSubmission(l.pred, l.images);
    QVERIFY2(mentions(check, "is uint16, a submission mask must be uint8"), qPrintable(problemsOf(check)));
    QVERIFY2(mentions(check, "has values other than 0 and 1"), qPrintable(problemsOf(check)));
  }

  void hostileIdsRefusedBeforeUse() {
    Layout l;
    std::ofstream(l.root + "/test.csv")
        << "id\n../../etc/passwd\na\\b\n.hidden\nx y\n1\n1\n";
    const SubmissionCheck check = checkSubmission(l.pred, l.images, l.root + "/test.csv");
    QVERIFY(mentions(check, "'../../etc/passwd' contains a path separator"));
    QVERIFY(mentions(check, "'a\\b' contains a path separator"));
    QVERIFY(mentions(check, "'.hidden' starts with '.'"));
    QVERIFY(mentions(check, "'x y' contains a character other than"));
    QVERIFY(mentions(check, "test id '1' appears twice (lines 6 and 7)"));
    QCOMPARE(check.entries.size(), size_t(1));  // only "1" was ever turned into a path
    QVERIFY(unsafeIdReason(std::string("a\x01", 2)).find("'a\\x01'") != std::string::npos);
    QVERIFY(unsafeIdReason("").size() > 0);
    QVERIFY(unsafeIdReason("1407735").empty());
  }

  void unwritablePlaceRefusedCleanly() {
    Layout l;
    const SubmissionCheck check = checkSubmission(l.pred, l.images);
    QVERIFY(check.ok());
    std::ofstream(l.out + "/a-file") << "x";
    // A path below a regular file cannot exist, even for root.
    QVERIFY_THROWS_EXCEPTION(Error, writeSubmission(check, l.out + "/a-file/submission.zip"));
    QVERIFY_THROWS_EXCEPTION(Error, writeSubmission(check, l.out + "/no-such-dir/submission.zip"));
    QCOMPARE(l.leftovers(), 1);  // a-file only
  }

  void diskFullRefusedCleanly() {
    // A file-size limit makes every write past 64 KiB fail with EFBIG, even for root: the
    // uncompressed 64^3 pieces cannot be written, as on a full disk.
    Layout l;
    writeVolumeU8(l.images + "/1.tif", pattern({64, 64, 64}, 1, 256));
    writeVolumeU8(l.pred + "/1.tif", pattern({64, 64, 64}, 3, 2));
    const SubmissionCheck check = checkSubmission(l.pred, l.images);
    QVERIFY2(check.ok(), qPrintable(problemsOf(check)));
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit tight = old;
    tight.rlim_cur = 64 * 1024;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &tight), 0);
    bool threw = false;
    try {
      writeSubmission(check, l.zip());
    } catch (const Error& e) {
      threw = true;
      qInfo() << "refused:" << e.what();
    }
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    QVERIFY(threw);
    QCOMPARE(l.leftovers(), 0);
  }

  void cliExportAndRefusal() {
    Layout l;
    const QString zip = QString::fromStdString(l.zip());
    auto ok = vwbtest::run(vwbtest::vwbExe(), {"export", "--pred", QString::fromStdString(l.pred), "--images",
                                               QString::fromStdString(l.images), "--out", zip});
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
    QVERIFY(ok.out.contains("2 volumes"));
    fs::remove(l.zip());
    fs::remove(l.pred + "/22.tif");
    auto bad = vwbtest::run(vwbtest::vwbExe(), {"export", "--pred", QString::fromStdString(l.pred), "--images",
                                                QString::fromStdString(l.images), "--out", zip});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("no prediction for test id '22'"), qPrintable(bad.err));
    QCOMPARE(l.leftovers(), 0);
  }
};

QTEST_APPLESS_MAIN(TestSubmission)
#include "TestSubmission.moc"
