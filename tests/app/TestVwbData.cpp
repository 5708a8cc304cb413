// vwb synth / check / info end to end: exit codes, what they print, and errors naming the file.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>

#include <unistd.h>

#include "TestSupport.h"
#include "engine/store/CacheEntry.h"

using vwbtest::run;
using vwbtest::vwbExe;

using vwbtest::why;

class TestVwbData : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString data_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = tmp_.filePath("data");
    auto r = run(vwbExe(), {"synth", "--out", data_, "--train", "2", "--test", "1", "--size", "32x40x48", "--seed", "4"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("wrote 2 train + 1 test volumes of 32x40x48 (seed 4)"), qPrintable(r.out));
  }

  void checkAcceptsTheSyntheticDataset() {
    auto r = run(vwbExe(), {"check", data_, "--fingerprint"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY(r.out.contains("train:    2 volumes (2 with labels)"));
    QVERIFY(r.out.contains("no problems found"));
    QVERIFY(r.out.contains("shapes:      32x40x48"));
    QVERIFY(QFile::exists(data_ + "/.vwb/fingerprint.json"));

    auto j = run(vwbExe(), {"check", data_, "--json", "--fingerprint"});
    QCOMPARE(j.exitCode, 0);
    QJsonObject o = QJsonDocument::fromJson(j.out.toUtf8()).object();
    QVERIFY2(o.value("ok").toBool(), qPrintable(j.out));
    QCOMPARE(o.value("train").toArray().size(), 2);
    QCOMPARE(o.value("test").toArray().size(), 1);
    const double surface = o["fingerprint"].toObject()["labelFractions"].toObject()["surface"].toDouble();
    QVERIFY2(surface > 0.01 && surface < 0.5, qPrintable(j.out));
  }

  void checkFailsAndListsEveryProblem() {
    // A copy of the dataset with a missing label and a label of the wrong shape.
    const QString broken = tmp_.filePath("broken");
    auto r = run(vwbExe(), {"synth", "--out", broken, "--train", "3", "--test", "0", "--size", "24", "--seed", "5"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QStringList labels = QDir(broken + "/train_labels").entryList({"*.tif"}, QDir::Files, QDir::Name);
    QCOMPARE(labels.size(), 3);
    QVERIFY(QFile::remove(broken + "/train_labels/" + labels[0]));
    QVERIFY(QFile::remove(broken + "/train_labels/" + labels[1]));
    QVERIFY(QFile::copy(data_ + "/train_labels/" + QDir(data_ + "/train_labels").entryList({"*.tif"})[0],
                        broken + "/train_labels/" + labels[1]));
    auto c = run(vwbExe(), {"check", broken, "--fingerprint"});
    QCOMPARE(c.exitCode, 1);
    QVERIFY2(c.out.contains("2 errors:"), qPrintable(c.out));
    QVERIFY2(c.out.contains("no label train_labels/" + labels[0]), qPrintable(c.out));
    QVERIFY2(c.out.contains("is 32x40x48"), qPrintable(c.out));
    QVERIFY(c.out.contains("fingerprint: skipped"));
    auto missing = run(vwbExe(), {"check", tmp_.filePath("nowhere")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("vwb: error: ") && missing.err.contains("nowhere: the dataset folder does not exist"), qPrintable(missing.err));
  }

  void checkDecodesEveryStripOnceAndCachesTheVerdict() {
    const QString bad = tmp_.filePath("badstrip");
    auto r = run(vwbExe(), {"synth", "--out", bad, "--train", "2", "--test", "1", "--size", "24", "--seed", "6"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    // Deflate (it has a checksum) via libtiff's tiffcp, then flipped bytes inside page 0's strip,
    // which libtiff writes right after the 8-byte header: the headers stay valid.
    const QString name = QDir(bad + "/test_images").entryList({"*.tif"})[0], tif = bad + "/test_images/" + name;
    QVERIFY(QFile::rename(tif, tif + ".lzw"));
    auto cp = run("tiffcp", {"-c", "zip", tif + ".lzw", tif});
    QVERIFY2(cp.exitCode == 0, qPrintable(why(cp)));
    QVERIFY(QFile::remove(tif + ".lzw"));
    QFile f(tif);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    for (int i = 60; i < 120; ++i) bytes[i] = char(bytes[i] ^ 0x5a);
    f.seek(0);
    f.write(bytes);
    f.close();
    auto headers = run(vwbExe(), {"check", bad, "--no-decode"});
    QVERIFY2(headers.exitCode == 0, qPrintable(why(headers)));  // the headers alone look fine
    for (int pass = 0; pass < 2; ++pass) {  // decoded once, then the cached verdict
      auto c = run(vwbExe(), {"check", bad});
      QCOMPARE(c.exitCode, 1);
      QVERIFY2(c.out.contains("1 error:") && c.out.contains(name) && c.out.contains("cannot decode strip"),
               qPrintable(why(c)));
    }
    QVERIFY(QFile::exists(bad + "/.vwb/cache/v" + QString::number(vwb::store::kCacheFormatVersion) + "/test/" + QFileInfo(name).completeBaseName() + ".json"));
  }

  void infoDescribesAVolume() {
    const QString path = tmp_.filePath("known.tif");
    auto py = vwbtest::python(
        "import numpy as np, tifffile, sys\n"
        "a = (np.arange(3 * 50 * 60) % 200).astype(np.uint16).reshape(3, 50, 60) * 3 + 7\n"
        "tifffile.imwrite(sys.argv[1], a, photometric='minisblack', tile=(16, 32), compression='zlib')\n"
        "print(repr(float(a.mean())))",
        {path});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    auto r = run(vwbExe(), {"info", path});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY(r.out.contains("shape:        3x50x60 (DxHxW)"));
    QVERIFY(r.out.contains("dtype:        uint16"));
    QVERIFY(r.out.contains("format:       classic TIFF"));
    QVERIFY(r.out.contains("compression:  deflate"));
    QVERIFY(r.out.contains("layout:       tiles of 16x32"));
    QString mean = QString::number(py.out.trimmed().toDouble(), 'f', 3);
    QVERIFY2(r.out.contains("min/max/mean: 7 / 604 / " + mean), qPrintable(r.out + " expected mean " + mean));

    QVERIFY(QDir(tmp_.path()).mkpath("no-slices"));
    auto j = run(vwbExe(), {"info", "--json", "--no-stats", path, tmp_.filePath("no-slices")});
    QCOMPARE(j.exitCode, 1);
    QVERIFY2(j.err.contains("no-slices: contains no numbered slices"), qPrintable(j.err));
    auto one = run(vwbExe(), {"info", "--json", "--no-stats", path});
    QCOMPARE(one.exitCode, 0);
    QJsonObject o = QJsonDocument::fromJson(one.out.toUtf8()).object();
    QCOMPARE(o.value("compression").toString(), QString("deflate"));
    QCOMPARE(o.value("shape").toArray().at(2).toInt(), 60);
    QVERIFY(!o.contains("stats"));
  }

  void infoReadsASliceFolder() {
    const QString slices = tmp_.filePath("slices");
    auto py = vwbtest::python(
        "import numpy as np, tifffile, sys, os\n"
        "os.makedirs(sys.argv[1])\n"
        "for z in range(12):\n"
        "    tifffile.imwrite(os.path.join(sys.argv[1], '%d.tif' % z), np.full((20, 30), z * 256 + 5, np.uint16), photometric='minisblack')\n",
        {slices});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    auto r = run(vwbExe(), {"info", slices});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY(r.out.contains("shape:        12x20x30"));
    QVERIFY(r.out.contains("format:       folder of 12 slices"));
    QVERIFY2(r.out.contains("min/max/mean: 0 / 11 / 5.500 (as uint8)"), qPrintable(r.out));
  }

  void infoErrorsNameTheFile() {
    const QString bad = tmp_.filePath("notes.tif");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("just text");
    f.close();
    auto r = run(vwbExe(), {"info", bad});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("vwb: error: " + bad + ": is not a TIFF file"), qPrintable(r.err));

    // A truncated LZW volume makes libtiff complain several times; only our one line may appear.
    QFile full(data_ + "/test_images/" + QDir(data_ + "/test_images").entryList({"*.tif"})[0]);
    QVERIFY(full.open(QIODevice::ReadOnly));
    QFile cut(tmp_.filePath("cut.tif"));
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(full.readAll().left(int(full.size() / 2)));
    cut.close();
    auto t = run(vwbExe(), {"info", cut.fileName()});
    QCOMPARE(t.exitCode, 1);
    QCOMPARE(t.err.count('\n'), 1);
    QVERIFY2(t.err.startsWith("vwb: error: " + cut.fileName() + ": is truncated or corrupt"), qPrintable(t.err));
  }

  // Tests run as root in CI; a file root cannot read needs another user, so drop to nobody.
  void infoOnAnUnreadableFile() {
    // As root, vwb runs as nobody (root reads any file). Nobody must reach both vwb and the file
    // wherever the clone, and so the build tree and VWB_TEST_TMP, lives: a 0700 home folder (new
    // users' default on Debian 13) or /root keeps nobody out of it. So then both go to a fresh
    // folder under /tmp, which every user may enter (/tmp rather than TMPDIR, which may be private).
    const bool asRoot = geteuid() == 0;
    QTemporaryDir open(asRoot ? QStringLiteral("/tmp/vwb-unreadable-XXXXXX") : tmp_.filePath("unreadable-XXXXXX"));
    QVERIFY2(open.isValid(), qPrintable(open.errorString()));
    QString vwb = vwbExe();
    QStringList command;
    if (asRoot) {
      const QString setpriv = QStandardPaths::findExecutable("setpriv");
      if (setpriv.isEmpty()) QSKIP("running as root without setpriv: cannot test as an unprivileged user");
      QVERIFY(QFile::setPermissions(open.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                     QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther));
      vwb = open.filePath("vwb");
      QVERIFY(QFile::copy(vwbExe(), vwb));
      QVERIFY(QFile::setPermissions(vwb, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                             QFileDevice::ReadOther | QFileDevice::ExeOther));
      command << setpriv << "--reuid=65534" << "--regid=65534" << "--clear-groups";
    }
    const QString locked = open.filePath("locked.tif");
    QVERIFY(QFile::copy(data_ + "/test_images/" + QDir(data_ + "/test_images").entryList({"*.tif"})[0], locked));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
    command << vwb << "info" << locked;
    auto r = run(command.takeFirst(), command);
    // setpriv itself refused (no CAP_SETUID, e.g. in a user namespace): nothing to test here.
    if (r.err.startsWith("setpriv:")) QSKIP(qPrintable("cannot become an unprivileged user here: " + r.err));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("vwb: error: " + locked + ": ") && r.err.contains("Permission denied"), qPrintable(r.err));
  }

  void synthRefusesBadArguments() {
    auto noOut = run(vwbExe(), {"synth"});
    QVERIFY(noOut.exitCode != 0);
    QVERIFY2(noOut.err.contains("--out"), qPrintable(noOut.err));
    auto badSize = run(vwbExe(), {"synth", "--out", tmp_.filePath("x"), "--size", "12x0x4"});
    QCOMPARE(badSize.exitCode, 1);
    QVERIFY2(badSize.err.contains("invalid shape '12x0x4'"), qPrintable(badSize.err));
  }
};

QTEST_APPLESS_MAIN(TestVwbData)
#include "TestVwbData.moc"
