// vwb train and predict under attack: a second process on the same run folder is refused with the
// owner, a kill -9 leaves no stale lock (resume works, stale temp files go), SIGTERM exits 143, a file-size limit
// (ulimit -f) fails cleanly with the previous checkpoint intact and no temp file left, and the
// error that ends a run is in training.log.
#include <QtTest>

#include <csignal>

#include "TestSupport.h"

using vwbtest::run;
using vwbtest::vwbExe;

using vwbtest::why;

namespace {
QStringList smallRun(const QString& data, const QString& out) {
  return {"train", "--data", data, "--out", out, "--patch", "16", "--levels", "2",
          "--base-channels", "4", "--batch", "2", "--threads", "1", "--workers", "1",
          "--val-fraction", "0", "--seed", "2"};
}
QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
// Runs `args` of vwb through bash with a file-size limit of `blocks` KiB.
vwbtest::ProcessResult underFileSizeLimit(int blocks, const QStringList& args) {
  QString command = QString("ulimit -f %1; exec \"$0\" \"$@\"").arg(blocks);
  return run("/bin/bash", QStringList{"-c", command, vwbExe()} + args);
}
}  // namespace

class TestVwbTrainGuards : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString data_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = tmp_.filePath("data");
    auto r = run(vwbExe(), {"synth", "--out", data_, "--train", "2", "--test", "1", "--size", "24",
                            "--seed", "3", "--scrolls", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
  }

  void secondTrainIsRefusedAndKillNineLeavesNoStaleLock() {
    const QString out = tmp_.filePath("locked");
    QProcess first;
    first.start(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "400", "--steps-per-epoch", "1"});
    QVERIFY(first.waitForStarted());
    const QString pid = QString::number(first.processId());
    // The owner is known once it holds the lock and has written a checkpoint.
    QTRY_VERIFY_WITH_TIMEOUT(readAll(out + "/run.lock").startsWith((pid + " ").toUtf8()) &&
                                 QFile::exists(out + "/checkpoints/last.pt"), vwbtest::kLastResortMs);
    auto second = run(vwbExe(), {"train", "--out", out, "--resume"});
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.err.contains("in use by another training (pid " + pid + " on host "), qPrintable(why(second)));
    // A fresh run into it is refused for the same reason (not for "already holds a run").
    auto fresh = run(vwbExe(), smallRun(data_, out));
    QCOMPARE(fresh.exitCode, 1);
    QVERIFY2(fresh.err.contains("in use by another training"), qPrintable(why(fresh)));

    ::kill(pid_t(first.processId()), SIGKILL);
    QVERIFY(first.waitForFinished(vwbtest::kLastResortMs));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);
    // A half-written checkpoint as a kill -9 mid-write leaves it: removed on resume.
    QFile stale(out + "/checkpoints/last.pt.tmp");
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.write("half a checkpoint");
    stale.close();
    // The lock died with its process: the resume takes it and continues; SIGTERM then stops it
    // after a checkpoint with the conventional 128 + 15. The resumed run is given far more epochs
    // than it can finish, so SIGTERM always finds it training (a fast CPU finished the 400 steps
    // before the signal, which then met the default handler).
    QProcess resumed;
    resumed.start(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "1000000"});
    QVERIFY(resumed.waitForStarted());
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += resumed.readAllStandardError()).contains(" step "), vwbtest::kLastResortMs);
    QVERIFY2(err.contains("removed the stale temporary file") && err.contains("last.pt.tmp") &&
                 err.contains("resumed from"), err.constData());
    // The resumed run writes its own temp file for a moment at every checkpoint (an epoch is one
    // step here), named last.pt.tmp-HOST-PID-N (engine/core/AtomicFile.h): the stale one is gone.
    QVERIFY(!QFile::exists(out + "/checkpoints/last.pt.tmp"));
    ::kill(pid_t(resumed.processId()), SIGTERM);
    QVERIFY(resumed.waitForFinished(vwbtest::kLastResortMs));
    err += resumed.readAllStandardError();
    QCOMPARE(resumed.exitStatus(), QProcess::NormalExit);
    QCOMPARE(resumed.exitCode(), 143);
    QVERIFY2(err.contains("stopped at step"), err.constData());
  }

  // ulimit -f: the next checkpoint cannot be written. vwb is not killed by SIGXFSZ (exit 153):
  // it reports the file, keeps the previous last.pt byte for byte, leaves no last.pt.tmp, and
  // training.log holds the error. predict likewise leaves no prob/<id>.tif.tmp.
  void fileSizeLimitFailsCleanly() {
    const QString out = tmp_.filePath("limited");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "1", "--steps-per-epoch", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    const QByteArray before = readAll(out + "/checkpoints/last.pt");
    QVERIFY(before.size() > 8 * 1024);
    // Half of last.pt: large enough for the logs and config.json, too small for a checkpoint.
    const int blocks = int(before.size() / 1024 / 2);
    auto limited = underFileSizeLimit(blocks, {"train", "--out", out, "--resume", "--epochs", "2"});
    QCOMPARE(limited.exitCode, 1);
    QVERIFY2(limited.err.contains("last.pt.tmp") && limited.err.contains("File too large"),
             qPrintable(why(limited)));
    QVERIFY(readAll(out + "/checkpoints/last.pt") == before);
    QVERIFY(QDir(out + "/checkpoints").entryList({"last.pt.tmp*"}, QDir::Files).isEmpty());
    const QByteArray log = readAll(out + "/logs/training.log");
    QVERIFY2(log.contains("[error] the run ended with an error: ") && log.contains("File too large"),
             log.constData());

    const QString pred = tmp_.filePath("limited-pred");
    auto p = underFileSizeLimit(1, {"predict", "--checkpoint", out + "/checkpoints/best.pt", "--images",
                                    data_ + "/test_images", "--out", pred, "--threads", "1"});
    QCOMPARE(p.exitCode, 1);
    QVERIFY2(p.err.contains("File too large") || p.err.contains("cannot write"), qPrintable(why(p)));
    QVERIFY(QDir(pred + "/prob").entryList({"*.tmp*"}, QDir::Files).isEmpty());
    QVERIFY(QDir(pred).entryList({"*.tmp*"}, QDir::Files).isEmpty());
  }

  // A truncated label is one problem, reported once (it was found twice: probing, then reading).
  void truncatedLabelIsReportedOnce() {
    const QString broken = tmp_.filePath("truncated");
    auto s = run(vwbExe(), {"synth", "--out", broken, "--train", "2", "--test", "0", "--size", "24"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    const QString label = broken + "/train_labels/" +
                          QDir(broken + "/train_labels").entryList({"*.tif"}, QDir::Files, QDir::Name)[0];
    QVERIFY(QFile::resize(label, QFileInfo(label).size() / 2));
    for (const QStringList& args : {QStringList{"check", broken}, smallRun(broken, tmp_.filePath("truncated-run"))}) {
      auto r = run(vwbExe(), args);
      QCOMPARE(r.exitCode, 1);
      const QString all = r.out + r.err;
      QVERIFY2(all.count("is truncated or corrupt") == 1, qPrintable(all));
    }
  }

  // A dataset folder that does not exist says so (not "is not a folder").
  void missingDatasetFolderDoesNotExist() {
    const QString missing = tmp_.filePath("no-such-data");
    for (const QStringList& args : {QStringList{"check", missing}, smallRun(missing, tmp_.filePath("no-run"))}) {
      auto r = run(vwbExe(), args);
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains("does not exist") && !r.err.contains("not a folder"), qPrintable(why(r)));
    }
  }

  // --out inside the dataset folder is refused before anything is read.
  void trainOutputInsideTheDataIsRefused() {
    auto r = run(vwbExe(), smallRun(data_, data_ + "/train_images/run"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("lies inside the dataset folder (--data)"), qPrintable(why(r)));
    QVERIFY(!QFile::exists(data_ + "/train_images/run"));
  }
};

QTEST_GUILESS_MAIN(TestVwbTrainGuards)
#include "TestVwbTrainGuards.moc"
