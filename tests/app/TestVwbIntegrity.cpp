// Nothing lost, nothing mixed (issue 27), end to end through vwb: a prediction replaces --out all
// at once (an interrupted one leaves it as it was) with a manifest that export checks; a
// damaged chunk is rebuilt by the command the message names; --resume refuses changed data unless
// told; numbers out of range are refused naming the setting and the range; an error mid-epoch
// saves the steps done first.
#include <QProcess>
#include <QtTest>

#include <csignal>

#include "FreePort.h"
#include "TestSupport.h"

using vwbtest::run;
using vwbtest::vwbExe;
using vwbtest::why;

namespace {

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeText(const QString& path, const QByteArray& text) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// Every file under `dir` with its bytes: a folder's exact state.
QMap<QString, QByteArray> snapshot(const QString& dir) {
  QMap<QString, QByteArray> files;
  QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    files[QDir(dir).relativeFilePath(path)] = readAll(path);
  }
  return files;
}

QStringList tinyRun(const QString& data, const QString& out, int steps = 2) {
  return {"train", "--data", data, "--out", out, "--patch", "16", "--levels", "2",
          "--base-channels", "4", "--batch", "1", "--threads", "1", "--workers", "1", "--val-fraction", "0",
          "--seed", "2", "--epochs", "1", "--steps-per-epoch", QString::number(steps)};
}

// Hidden staging folders ".NAME.partial-*" beside `out`.
QStringList stagingLeft(const QString& out) {
  const QFileInfo info(out);
  return QDir(info.absolutePath()).entryList({"." + info.fileName() + ".partial-*"}, QDir::Dirs | QDir::Hidden);
}

}  // namespace

class TestVwbIntegrity : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString data_, run_, checkpoint_;

  vwbtest::ProcessResult predict(const QString& images, const QString& out, const QStringList& extra = {}) {
    return run(vwbExe(), QStringList{"predict", "--checkpoint", checkpoint_, "--images", images, "--out", out,
                                     "--threads", "1"} + extra);
  }
  vwbtest::ProcessResult exportZip(const QString& pred, const QString& images) {
    return run(vwbExe(), {"export", "--pred", pred, "--images", images, "--out", tmp_.filePath("s.zip")});
  }

 private Q_SLOTS:
  void initTestCase() {
    data_ = tmp_.filePath("data");
    auto s = run(vwbExe(), {"synth", "--out", data_, "--train", "3", "--test", "2", "--size", "32", "--seed", "4"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    run_ = tmp_.filePath("run");
    auto t = run(vwbExe(), tinyRun(data_, run_));
    QVERIFY2(t.exitCode == 0, qPrintable(why(t)));
    checkpoint_ = run_ + "/checkpoints/best.pt";
  }

  // One run's files or the other's, never both: a failed, a killed and a mixed prediction.
  void predictionsAreAllOrNothing() {
    const QString images = data_ + "/test_images", out = tmp_.filePath("pred");
    auto first = predict(images, out);
    QVERIFY2(first.exitCode == 0, qPrintable(why(first)));
    const QByteArray manifest = readAll(out + "/predictions.json");
    QVERIFY2(manifest.contains("\"checkpoints\"") && manifest.contains("best.pt") && manifest.contains("mask_crc32"),
             manifest.constData());
    auto ok = exportZip(out, images);
    QVERIFY2(ok.exitCode == 0, qPrintable(why(ok)));
    const auto before = snapshot(out);

    // The second volume does not read: the run fails after the first, and --out is untouched.
    const QString broken = tmp_.filePath("broken_images");
    QVERIFY(QDir().mkpath(broken));
    const QStringList ids = QDir(images).entryList({"*.tif"}, QDir::Files, QDir::Name);
    QCOMPARE(ids.size(), 2);
    QVERIFY(QFile::copy(images + "/" + ids[0], broken + "/" + ids[0]));
    QVERIFY(writeText(broken + "/" + ids[1], readAll(images + "/" + ids[1]).left(300)));
    auto failed = predict(broken, out, {"--threshold", "0.9"});
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains(ids[1]), qPrintable(why(failed)));
    QVERIFY(snapshot(out) == before);
    QVERIFY(stagingLeft(out).isEmpty());

    // Killed after the first volume (SIGTERM, as in the issue): the old prediction stays whole.
    QProcess killed;
    killed.start(vwbExe(), {"predict", "--checkpoint", checkpoint_, "--images", images, "--out", out, "--threads",
                            "1", "--tta", "full", "--threshold", "0.9"});
    QVERIFY(killed.waitForStarted());
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += killed.readAllStandardError()).contains("[2/2]") ||
                                 killed.state() == QProcess::NotRunning,
                             vwbtest::kLastResortMs);
    ::kill(pid_t(killed.processId()), SIGTERM);
    QVERIFY(killed.waitForFinished(vwbtest::kLastResortMs));
    if (killed.exitStatus() == QProcess::CrashExit) {
      QVERIFY(snapshot(out) == before);  // the staged volume 1 never reached --out
    } else {
      QWARN("the prediction finished before SIGTERM reached it: --out holds the new one, whole");
      QVERIFY(readAll(out + "/predictions.json") != manifest);
    }
    auto stillOk = exportZip(out, images);
    QVERIFY2(stillOk.exitCode == 0, qPrintable(why(stillOk)));

    // The next prediction removes what the killed one staged, and replaces --out whole.
    auto second = predict(images, out, {"--threshold", "0"});
    QVERIFY2(second.exitCode == 0, qPrintable(why(second)));
    QVERIFY(stagingLeft(out).isEmpty());
    QVERIFY(readAll(out + "/predictions.json").contains("\"threshold\": 0.0") ||
            readAll(out + "/predictions.json").contains("\"threshold\":0.0"));

    // A mask of another run copied in: export refuses and names it.
    const QString other = tmp_.filePath("pred-other");
    auto third = predict(images, other, {"--threshold", "1"});
    QVERIFY2(third.exitCode == 0, qPrintable(why(third)));
    QVERIFY(QFile::remove(out + "/" + ids[0]) && QFile::copy(other + "/" + ids[0], out + "/" + ids[0]));
    auto mixed = exportZip(out, images);
    QCOMPARE(mixed.exitCode, 1);
    QVERIFY2(mixed.err.contains(ids[0]) && mixed.err.contains("mixes predictions of different runs"),
             qPrintable(why(mixed)));
    QVERIFY(!QFile::exists(tmp_.filePath("s.zip.tmp")));

    // A folder of other files is never swapped away.
    const QString foreign = tmp_.filePath("notes");
    QVERIFY(QDir().mkpath(foreign) && writeText(foreign + "/notes.txt", "mine"));
    auto refused = predict(images, foreign);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("notes.txt") && refused.err.contains("not part of a vwb prediction"),
             qPrintable(why(refused)));
    QCOMPARE(readAll(foreign + "/notes.txt"), QByteArray("mine"));
  }

  // Test and training volumes predicted together (the headless demo's step): one run, one folder
  // whose manifest lists both and which vwb export takes; predicting one folder again into it
  // says which volumes the new run does not keep; an id in two folders is refused, --out untouched.
  void severalImageFoldersAreOneRun() {
    const QString test = data_ + "/test_images", train = data_ + "/train_images";
    const QString out = tmp_.filePath("pred-both");
    auto both = run(vwbExe(), {"predict", "--checkpoint", checkpoint_, "--images", test, train, "--out", out, "--threads", "1"});
    QVERIFY2(both.exitCode == 0, qPrintable(why(both)));
    const QStringList testIds = QDir(test).entryList({"*.tif"}, QDir::Files);
    const QStringList trainIds = QDir(train).entryList({"*.tif"}, QDir::Files);
    QCOMPARE(testIds.size(), 2);
    QCOMPARE(trainIds.size(), 3);
    const QByteArray manifest = readAll(out + "/predictions.json");
    for (const QString& f : testIds + trainIds) {
      QVERIFY2(QFile::exists(out + "/" + f) && QFile::exists(out + "/prob/" + f), qPrintable(f));
      QVERIFY2(manifest.contains(QFileInfo(f).completeBaseName().toUtf8()), manifest.constData());
    }
    QVERIFY2(manifest.contains(QFileInfo(test).absoluteFilePath().toUtf8()) &&
                 manifest.contains(QFileInfo(train).absoluteFilePath().toUtf8()),
             manifest.constData());
    auto zip = exportZip(out, test);
    QVERIFY2(zip.exitCode == 0, qPrintable(why(zip)));

    // Only the test folder again: the three training volumes are named as not kept.
    auto again = predict(test, out);
    QVERIFY2(again.exitCode == 0, qPrintable(why(again)));
    QVERIFY2(again.err.contains("holds an earlier prediction; its 3 volume(s) not in this run"), qPrintable(why(again)));
    for (const QString& f : trainIds) {
      QVERIFY2(again.err.contains(QFileInfo(f).completeBaseName()), qPrintable(why(again)));
      QVERIFY(!QFile::exists(out + "/" + f));
    }

    // The same id in two folders: refused naming both files, --out as it was.
    const QString copy = tmp_.filePath("more-images");
    QVERIFY(QDir().mkpath(copy) && QFile::copy(test + "/" + testIds[0], copy + "/" + testIds[0]));
    const auto before = snapshot(out);
    auto twice = run(vwbExe(), {"predict", "--checkpoint", checkpoint_, "--images", test, copy, "--out", out, "--threads", "1"});
    QCOMPARE(twice.exitCode, 1);
    QVERIFY2(twice.err.contains("is in two --images folders") && twice.err.contains(copy + "/" + testIds[0]),
             qPrintable(why(twice)));
    QCOMPARE(snapshot(out), before);
  }

  // A flipped chunk byte: training names `vwb preprocess --data DATASET --verify`, which rebuilds it.
  void damagedChunkIsRebuiltByTheNamedCommand() {
    const QString data = tmp_.filePath("data-damaged");
    auto s = run(vwbExe(), {"synth", "--out", data, "--train", "2", "--test", "0", "--size", "32", "--seed", "6"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    auto p = run(vwbExe(), {"preprocess", "--data", data});
    QVERIFY2(p.exitCode == 0, qPrintable(why(p)));
    const QString chunks = QDir(data + "/.vwb/cache/v2/train").entryInfoList({"*.chunks"}, QDir::Files, QDir::Name)[0].filePath();
    QByteArray bytes = readAll(chunks);
    for (int i = 0; i < 64; ++i) bytes[bytes.size() / 2 + i] = char(bytes[bytes.size() / 2 + i] ^ 0x5a);
    QVERIFY(writeText(chunks, bytes));  // same size: "up to date" by its entry
    auto train = run(vwbExe(), tinyRun(data, tmp_.filePath("run-damaged"), 40));
    if (train.exitCode != 0)
      QVERIFY2(train.err.contains("vwb preprocess --data DATASET --verify"), qPrintable(why(train)));
    auto verify = run(vwbExe(), {"preprocess", "--data", data, "--verify"});
    QVERIFY2(verify.exitCode == 0, qPrintable(why(verify)));
    QVERIFY2(verify.out.contains("repaired: 1 volume(s) rebuilt from their TIFFs, 0 damaged chunk(s) left"),
             qPrintable(why(verify)));
    auto again = run(vwbExe(), {"preprocess", "--data", data, "--verify"});
    QVERIFY2(again.exitCode == 0 && again.out.contains(", 0 damaged in 0 volume(s)"), qPrintable(why(again)));
  }

  // The repro: a training on 96^3 volumes while their TIFFs are replaced (same shape) and
  // vwb preprocess renames new chunk files over the ones it reads. A 1 MiB decoded-chunk budget
  // keeps it reading chunk files all along; it must finish, not stop on "corrupt data".
  void trainingSurvivesACacheRefresh() {
    const QString data = tmp_.filePath("data-refresh"), other = tmp_.filePath("data-refresh-new");
    for (const auto& [dir, seed] : {std::pair{data, "9"}, std::pair{other, "10"}}) {
      auto s = run(vwbExe(), {"synth", "--out", dir, "--train", "3", "--test", "0", "--size", "96", "--seed", seed});
      QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    }
    const QString out = tmp_.filePath("run-refresh");
    QProcess train;
    train.start(vwbExe(), tinyRun(data, out, 1200) + QStringList{"--chunk-cache-mb", "1"});
    QVERIFY(train.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(readAll(out + "/metrics.jsonl").count("\"type\":\"step\"") >= 5 ||
                                 train.state() == QProcess::NotRunning,
                             vwbtest::kLastResortMs);
    QVERIFY2(train.state() == QProcess::Running, train.readAllStandardError().constData());
    for (const char* kind : {"train_images", "train_labels"}) {
      const QStringList mine = QDir(data + "/" + kind).entryList({"*.tif"}, QDir::Files, QDir::Name);
      const QStringList theirs = QDir(other + "/" + kind).entryList({"*.tif"}, QDir::Files, QDir::Name);
      QCOMPARE(mine.size(), theirs.size());
      for (int i = 0; i < mine.size(); ++i)
        QVERIFY(QFile::remove(data + "/" + kind + "/" + mine[i]) &&
                QFile::copy(other + "/" + kind + "/" + theirs[i], data + "/" + kind + "/" + mine[i]));
    }
    auto refresh = run(vwbExe(), {"preprocess", "--data", data});
    QVERIFY2(refresh.exitCode == 0 && refresh.out.contains("3 preprocessed"), qPrintable(why(refresh)));
    QVERIFY2(train.state() == QProcess::Running, "the training ended before the refresh: it needs more steps");
    QVERIFY(train.waitForFinished(vwbtest::kLastResortMs));
    const QString err = QString::fromUtf8(train.readAllStandardError());
    QCOMPARE(train.exitStatus(), QProcess::NormalExit);
    QVERIFY2(train.exitCode() == 0, qPrintable(err));
  }

  // A training image replaced since the checkpoint: --resume says which, and continues only when told.
  void resumeChecksTheDataDigest() {
    const QString data = tmp_.filePath("data-resume"), other = tmp_.filePath("data-other");
    for (const auto& [dir, seed] : {std::pair{data, "7"}, std::pair{other, "8"}}) {
      auto s = run(vwbExe(), {"synth", "--out", dir, "--train", "2", "--test", "0", "--size", "32", "--seed", seed});
      QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    }
    const QString out = tmp_.filePath("run-resume");
    auto first = run(vwbExe(), tinyRun(data, out));
    QVERIFY2(first.exitCode == 0, qPrintable(why(first)));
    auto same = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "2"});
    QVERIFY2(same.exitCode == 0, qPrintable(why(same)));
    const QString image = QDir(data + "/train_images").entryList({"*.tif"}, QDir::Files, QDir::Name)[0];
    const QString otherImage = QDir(other + "/train_images").entryList({"*.tif"}, QDir::Files, QDir::Name)[0];
    QVERIFY(QFile::remove(data + "/train_images/" + image));
    QVERIFY(QFile::copy(other + "/train_images/" + otherImage, data + "/train_images/" + image));
    const QString id = QFileInfo(image).completeBaseName();
    auto refused = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "3"});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("the training data changed since this checkpoint") &&
                 refused.err.contains("changed (image or label): " + id) && refused.err.contains("--allow-data-change"),
             qPrintable(why(refused)));
    auto allowed = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "3", "--allow-data-change"});
    QVERIFY2(allowed.exitCode == 0, qPrintable(why(allowed)));
    QVERIFY(readAll(out + "/logs/training.log").contains("resuming on changed training data (--allow-data-change)"));
  }

  // Presets, flags and config files: a number out of range is refused naming it and the range.
  void numbersOutOfRangeAreRefused() {
    const QString prob = tmp_.filePath("ranges-pred");
    auto p = predict(data_ + "/test_images", prob);
    QVERIFY2(p.exitCode == 0, qPrintable(why(p)));
    for (const char* value : {"1000000000", "2147483647", "1e13"}) {
      const QString preset = tmp_.filePath("preset.json");
      QVERIFY(writeText(preset, QByteArray("{\"format\": \"vwb-postprocess/1\", \"closing\": ") + value + "}"));
      auto r = run(vwbExe(), {"postprocess", "--prob", prob + "/prob", "--out", tmp_.filePath("masks"), "--preset", preset});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains("preset.json") && r.err.contains("'closing'") && r.err.contains("outside its range [0, 64]"),
               qPrintable(why(r)));
    }
    auto flag = run(vwbExe(), {"postprocess", "--prob", prob + "/prob", "--out", tmp_.filePath("masks"), "--closing", "65"});
    QVERIFY(flag.exitCode != 0);
    QVERIFY2(flag.err.contains("--closing") && flag.err.contains("64"), qPrintable(why(flag)));
    const QString config = tmp_.filePath("config.json");
    QVERIFY(writeText(config, "{\"epochs\": 1e13}"));
    auto c = run(vwbExe(), {"train", "--config", config, "--data", data_, "--out", tmp_.filePath("never")});
    QCOMPARE(c.exitCode, 1);
    QVERIFY2(c.err.contains("\"epochs\"") && c.err.contains("outside its range [1, 1000000]"), qPrintable(why(c)));
    auto f = run(vwbExe(), tinyRun(data_, tmp_.filePath("never2")) + QStringList{"--previews-kept", "20000"});
    QCOMPARE(f.exitCode, 1);
    QVERIFY2(f.err.contains("--previews-kept") && f.err.contains("[0, 10000]"), qPrintable(why(f)));
  }

  // Node 1 dies mid-epoch: node 0 ends with the error, but saves the steps it did first.
  void errorMidEpochSavesACheckpointFirst() {
    const int port = vwbtest::freePort();
    const QString out0 = tmp_.filePath("mid0"), out1 = tmp_.filePath("mid1");
    auto args = [&](int rank, const QString& out) {
      return QStringList{"train", "--data", data_, "--out", out, "--patch", "16", "--levels", "2", "--base-channels", "4",
                         "--batch", "1", "--threads", "1", "--workers", "1", "--val-fraction", "0", "--seed", "2",
                         "--epochs", "1", "--steps-per-epoch", "100000", "--strategy", "ddp", "--devices", "cpu",
                         "--nnodes", "2", "--node-rank", QString::number(rank), "--master",
                         QString("127.0.0.1:%1").arg(port), "--timeout", "20"};
    };
    QProcess n0, n1;
    n0.start(vwbExe(), args(0, out0));
    n1.start(vwbExe(), args(1, out1));
    QVERIFY(n0.waitForStarted() && n1.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(readAll(out0 + "/metrics.jsonl").count("\"type\":\"step\"") >= 3 ||
                                 n0.state() == QProcess::NotRunning,
                             vwbtest::kLastResortMs);
    QVERIFY2(!QFile::exists(out0 + "/checkpoints/last.pt"), "an epoch ended: the test needs a run mid-epoch");
    ::kill(pid_t(n1.processId()), SIGKILL);
    QVERIFY(n1.waitForFinished(vwbtest::kLastResortMs));
    QVERIFY(n0.waitForFinished(vwbtest::kLastResortMs));
    const QString err = QString::fromUtf8(n0.readAllStandardError());
    QCOMPARE(n0.exitStatus(), QProcess::NormalExit);
    QCOMPARE(n0.exitCode(), 1);
    QVERIFY2(err.contains("before ending on the error"), qPrintable(err));
    QVERIFY(QFile::exists(out0 + "/checkpoints/last.pt"));
    const QByteArray log = readAll(out0 + "/logs/training.log");
    const QRegularExpression saved("at step (\\d+) before ending on the error");
    const auto m = saved.match(QString::fromUtf8(log));
    QVERIFY2(m.hasMatch() && m.captured(1).toInt() >= 3, log.constData());
  }
};

QTEST_GUILESS_MAIN(TestVwbIntegrity)
#include "TestVwbIntegrity.moc"
