// vwb train and bench-train end to end: run folder contents, plain progress lines without a
// terminal, dataset errors before training, Ctrl-C writes a checkpoint, --resume extends a run.
#include <QtTest>

#include <csignal>

#include "TestSupport.h"
#include "engine/store/CacheEntry.h"

using vwbtest::run;
using vwbtest::vwbExe;

using vwbtest::why;

namespace {
// A tiny model and short run: the CLI is under test here, not learning.
QJsonObject readJson(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}
QStringList smallRun(const QString& data, const QString& out) {
  return {"train", "--data", data, "--out", out, "--patch", "16", "--levels", "2",
          "--base-channels", "4", "--batch", "2", "--threads", "2", "--workers", "1",
          "--val-fraction", "0.34", "--seed", "2"};
}
}  // namespace

class TestVwbTrain : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString data_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = tmp_.filePath("data");
    auto r = run(vwbExe(), {"synth", "--out", data_, "--train", "3", "--test", "0", "--size", "24",
                            "--seed", "3", "--scrolls", "3"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
  }

  void trainWritesTheRunFolder() {
    QString out = tmp_.filePath("run");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "2", "--steps-per-epoch", "3"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    for (const char* f : {"config.json", "logs/training.log", "metrics.jsonl",
                          "checkpoints/last.pt", "checkpoints/best.pt"})
      QVERIFY2(QFile::exists(out + "/" + f), f);
    // best.pt is the model alone (predict's input); last.pt adds the optimizer for --resume.
    QVERIFY(QFileInfo(out + "/checkpoints/best.pt").size() <
            QFileInfo(out + "/checkpoints/last.pt").size() / 2);
    QFile metrics(out + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    const double now = double(QDateTime::currentSecsSinceEpoch());
    // The format line first (engine/train/MetricsJsonl.h), then records with their wall clock.
    QCOMPARE(QJsonDocument::fromJson(metrics.readLine()).object().value("format").toString(), QString("vwb-metrics/1"));
    const double stamp = QJsonDocument::fromJson(metrics.readLine()).object().value("time").toDouble();
    QVERIFY2(stamp > now - 600 && stamp <= now + 1, qPrintable(QString::number(stamp, 'f', 1)));
    // Not a terminal: plain progress lines, no carriage-return bar.
    QVERIFY2(r.err.contains("epoch 2/2 step 6/6 loss"), qPrintable(r.err));
    QVERIFY(!r.err.contains('\r'));
    QVERIFY2(r.err.contains("val Dice"), qPrintable(r.err));

    // --resume with more epochs extends the run from step 6.
    auto more = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "3"});
    QVERIFY2(more.exitCode == 0, qPrintable(why(more)));
    QVERIFY2(more.err.contains("resumed from") && more.err.contains("step 9/9"), qPrintable(more.err));
    // A second fresh run into the same folder is refused with a clear message.
    auto again = run(vwbExe(), smallRun(data_, out));
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains("--resume"), qPrintable(again.err));
  }

  // --strategy auto (the default) without --devices: what the planner prints for this machine and
  // dataset is what the run uses, for every setting the user left open; a given flag still wins.
  // config.json is tagged {"format": "vwb-config/1"} (TrainConfig's codec); an untagged one of an
  // older build still resumes; another format is refused naming the file and both formats, on
  // --resume (the run's config.json) and on --config.
  void configJsonCarriesItsFormat() {
    const QString out = tmp_.filePath("config-format");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "1", "--steps-per-epoch", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    const QString path = out + "/config.json";
    QJsonObject config = readJson(path);
    QCOMPARE(config.value("format").toString(), QString("vwb-config/1"));
    auto rewrite = [&](const QJsonObject& j) {
      QFile f(path);
      return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(QJsonDocument(j).toJson()) > 0;
    };
    config.remove("format");
    QVERIFY(rewrite(config));
    r = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QCOMPARE(readJson(path).value("format").toString(), QString("vwb-config/1"));  // rewritten tagged

    config["format"] = "vwb-config/9";
    QVERIFY(rewrite(config));
    r = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "3"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(path) && r.err.contains("vwb-config/9") && r.err.contains("vwb-config/1"), qPrintable(r.err));

    const QString other = tmp_.filePath("config-format-9.json");
    QVERIFY(QFile::copy(path, other));
    r = run(vwbExe(), smallRun(data_, tmp_.filePath("config-format-other")) + QStringList{"--config", other});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(other) && r.err.contains("vwb-config/9"), qPrintable(r.err));
    QVERIFY(!QFile::exists(tmp_.filePath("config-format-other") + "/checkpoints/last.pt"));
  }

  void autoStrategyTakesThePlanForWhatWasNotGiven() {
    // The planner's smallest patch is 32^3, so this needs larger volumes than the other cases.
    const QString data = tmp_.filePath("data40");
    auto s = run(vwbExe(), {"synth", "--out", data, "--train", "2", "--test", "0", "--size", "40"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    auto p = run(vwbExe(), {"plan", "--data", data, "--json", "--levels", "2", "--base-channels", "4"});
    QVERIFY2(p.exitCode == 0, qPrintable(why(p)));
    QJsonObject plan = QJsonDocument::fromJson(p.out.toUtf8()).object();
    QVERIFY2(plan.contains("patch") && plan.contains("batch_per_device"), qPrintable(p.out));
    const QStringList common{"train", "--data", data, "--levels", "2", "--base-channels", "4",
                             "--epochs", "1", "--steps-per-epoch", "1", "--val-fraction", "0"};
    QString planned = tmp_.filePath("auto-run");
    auto r = run(vwbExe(), common + QStringList{"--out", planned});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.err.contains("--strategy auto:"), qPrintable(r.err));
    QJsonObject used = readJson(planned + "/config.json");
    for (const char* key : {"strategy", "patch", "batch_per_device", "amp", "workers", "prefetch", "threads"})
      QVERIFY2(used.value(key) == plan.value(key),
               qPrintable(QString("%1: run %2, plan %3").arg(key, used.value(key).toVariant().toString(),
                                                          plan.value(key).toVariant().toString())));
    QCOMPARE(used.value("devices"), plan.value("devices"));

    QString forced = tmp_.filePath("auto-forced");
    const int otherPatch = plan.value("patch").toInt() == 16 ? 8 : 16;
    auto f = run(vwbExe(), common + QStringList{"--out", forced, "--patch", QString::number(otherPatch),
                                                "--batch", "1", "--workers", "0"});
    QVERIFY2(f.exitCode == 0, qPrintable(why(f)));
    QJsonObject kept = readJson(forced + "/config.json");
    QCOMPARE(kept.value("patch").toInt(), otherPatch);
    QCOMPARE(kept.value("batch_per_device").toInt(), 1);
    QCOMPARE(kept.value("workers").toInt(), 0);
    // The forced values are explained against the plan's own (engine/plan/PlanExplainer), in the
    // run's log as in vwb plan's text.
    QVERIFY2(f.err.contains("You chose " + QString::number(otherPatch)) && f.err.contains("the plan would choose") &&
                 !f.err.contains("Set with --patch"),
             qPrintable(f.err));
    auto t = run(vwbExe(), {"plan", "--data", data, "--levels", "2", "--base-channels", "4", "--patch",
                            QString::number(otherPatch)});
    QVERIFY2(t.exitCode == 0, qPrintable(why(t)));
    QVERIFY2(t.out.contains(QString("You chose %1^3; the plan would choose %2^3")
                                .arg(otherPatch)
                                .arg(plan.value("patch").toInt())) &&
                 !t.out.contains("Set with --patch"),
             qPrintable(t.out));
  }

  void datasetErrorsStopBeforeTraining() {
    QString broken = tmp_.filePath("broken");
    auto r = run(vwbExe(), {"synth", "--out", broken, "--train", "2", "--test", "0", "--size", "24"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QString label = broken + "/train_labels/" +
                    QDir(broken + "/train_labels").entryList({"*.tif"}, QDir::Files, QDir::Name)[0];
    QFile f(label);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("not a tiff");
    f.close();
    QString out = tmp_.filePath("broken-run");
    auto t = run(vwbExe(), smallRun(broken, out));
    QCOMPARE(t.exitCode, 1);
    QVERIFY2(t.err.contains("dataset has errors") && t.err.contains(QFileInfo(label).fileName()),
             qPrintable(t.err));
    QVERIFY(!QFile::exists(out + "/checkpoints/last.pt"));
  }

  void augmentPresetIsKeptInTheRunAndOnResume() {
    // --augment strong (nnU-Net's pipeline and more) trains, is written to config.json and is what
    // --resume continues with; an unknown preset is refused naming the choices.
    QString out = tmp_.filePath("strong");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--augment", "strong", "--epochs", "1",
                                                             "--steps-per-epoch", "3"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QCOMPARE(readJson(out + "/config.json").value("augment").toString(), QString("strong"));
    auto more = run(vwbExe(), {"train", "--out", out, "--resume", "--epochs", "2"});
    QVERIFY2(more.exitCode == 0 && more.err.contains("step 6/6"), qPrintable(why(more)));
    QCOMPARE(readJson(out + "/config.json").value("augment").toString(), QString("strong"));
    auto bad = run(vwbExe(), smallRun(data_, tmp_.filePath("bad")) + QStringList{"--augment", "heavy"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("heavy") && bad.err.contains("nnunet"), qPrintable(bad.err));
  }

  void trainsFromTheChunkCacheWithATinyBudget() {
    // The old memory cap no longer refuses anything: volumes are read from the chunk cache.
    QString config = tmp_.filePath("tiny-cap.json");
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"memory_cap_bytes\": 10000}");
    f.close();
    QString out = tmp_.filePath("capped");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--config", config, "--chunk-cache-mb", "1",
                                                             "--epochs", "1", "--steps-per-epoch", "3"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.err.contains("through a 1 MiB decoded-chunk cache"), qPrintable(r.err));
    QVERIFY(QFile::exists(out + "/checkpoints/last.pt"));
    QVERIFY(QDir(data_ + "/.vwb/cache/v" + QString::number(vwb::store::kCacheFormatVersion) + "/train").entryList({"*.chunks"}).size() > 0);
  }

  void interruptWritesACheckpoint() {
    // Far more steps than any CPU finishes before the signal: SIGINT always finds it training.
    QString out = tmp_.filePath("interrupted");
    QProcess p;
    p.start(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "1000000", "--steps-per-epoch", "50"});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QElapsedTimer timer;
    timer.start();
    while (!err.contains(" step ") && timer.elapsed() < vwbtest::kLastResortMs) {
      p.waitForReadyRead(200);
      err += p.readAllStandardError();
    }
    QVERIFY2(err.contains(" step "), err.constData());
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(vwbtest::kLastResortMs));
    err += p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 130,
             qPrintable(QString("%1 %2; stderr:\n%3")
                            .arg(p.exitStatus() == QProcess::NormalExit ? "exit code" : "killed by signal")
                            .arg(p.exitCode())
                            .arg(QString::fromUtf8(err.right(4000)))));
    QVERIFY2(err.contains("stopped at step"), err.constData());
    QVERIFY(QFile::exists(out + "/checkpoints/last.pt"));
    QVERIFY(QDir(out + "/checkpoints").entryList({"last.pt.tmp*"}, QDir::Files).isEmpty());
  }

  // --val-patches: validation during training on a fixed patch set (the same set on one device
  // and on two CPU ranks: drawn from the seed alone), the full sliding window of the final model
  // at the end (validation/last.json); vwb validate runs it on request for best.pt.
  void validationPatchesAtTheEndAndOnRequest() {
    QString out = tmp_.filePath("patches");
    auto r = run(vwbExe(), smallRun(data_, out) + QStringList{"--val-patches", "4", "--epochs", "2",
                                                             "--steps-per-epoch", "3", "--devices", "cpu"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QCOMPARE(readJson(out + "/config.json").value("val_patches").toInt(), 4);
    const QRegularExpression digest("validation patch set ([0-9a-f]{16})");
    const auto set = digest.match(r.err);
    QVERIFY2(set.hasMatch(), qPrintable(r.err));
    QVERIFY2(r.err.contains("validation (4 fixed patches): pseudo-Dice"), qPrintable(r.err));
    // The held-out 24^3 volume is 8 tiles of 16^3.
    const QJsonObject last = readJson(out + "/validation/last.json");
    QCOMPARE(last.value("format").toString(), QString("vwb-validation-1"));
    QCOMPARE(last.value("step").toInt(), 6);
    QCOMPARE(last.value("tiles").toInt(), 8);
    QCOMPARE(last.value("volumes").toArray().size(), 1);
    QVERIFY2(r.err.contains("full validation of last.pt (sliding window, 8 tiles"), qPrintable(r.err));

    QString ranks = tmp_.filePath("patches-ranks");
    auto two = run(vwbExe(), smallRun(data_, ranks) + QStringList{"--val-patches", "4", "--epochs", "1",
                                                                 "--steps-per-epoch", "2", "--devices", "cpu:2",
                                                                 "--strategy", "ddp"});
    QVERIFY2(two.exitCode == 0, qPrintable(why(two)));
    QCOMPARE(digest.match(two.err).captured(1), set.captured(1));

    auto v = run(vwbExe(), {"validate", "--run", out, "--checkpoint", "best", "--json"});
    QVERIFY2(v.exitCode == 0, qPrintable(why(v)));
    const QJsonObject best = readJson(out + "/validation/best.json");
    QCOMPARE(best.value("checkpoint").toString(), QString("best"));
    QCOMPARE(best.value("tiles").toInt(), 8);
    QCOMPARE(QJsonDocument::fromJson(v.out.toUtf8()).object().value("dice").toDouble(), best.value("dice").toDouble());
    const double dice = best.value("dice").toDouble();
    QVERIFY(dice >= 0 && dice <= 1);
    auto missing = run(vwbExe(), {"validate", "--run", out, "--checkpoint", "ema"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains("ema.pt") && missing.err.contains("no such checkpoint"), qPrintable(missing.err));
  }

  // A run whose caller ignores SIGINT (started with `&` from a script, or under nohup) keeps it
  // ignored: it trains on through a SIGINT (steps after the signal are the proof) and SIGTERM
  // still stops it with a checkpoint and 128 + 15.
  void ignoredInterruptStaysIgnored() {
    QString out = tmp_.filePath("nohup");
    QProcess p;
    p.setChildProcessModifier([] { std::signal(SIGINT, SIG_IGN); });
    p.start(vwbExe(), smallRun(data_, out) + QStringList{"--epochs", "1000000", "--steps-per-epoch", "50"});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    auto readUntil = [&](const QByteArray& what, qsizetype from) {
      QElapsedTimer timer;
      timer.start();
      while (err.indexOf(what, from) < 0 && p.state() == QProcess::Running && timer.elapsed() < vwbtest::kLastResortMs) {
        p.waitForReadyRead(200);
        err += p.readAllStandardError();
      }
      return err.indexOf(what, from) >= 0;
    };
    QVERIFY2(readUntil(" step ", 0), err.constData());
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    const qsizetype afterInterrupt = err.size();
    QVERIFY2(readUntil(" step ", afterInterrupt), err.constData());  // still training
    QVERIFY(!err.contains("stopping after this step"));
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(vwbtest::kLastResortMs));
    err += p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 143,
             qPrintable(QString::number(p.exitCode()) + "\n" + QString::fromUtf8(err.right(2000))));
    QVERIFY(QFile::exists(out + "/checkpoints/last.pt"));
  }

  void benchTrainPrintsThroughput() {
    auto r = run(vwbExe(), {"bench-train", "--patch", "16", "--levels", "2", "--base-channels", "4",
                            "--steps", "2", "--warmup", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("samples/s: ") && r.out.contains("data wait share: "), qPrintable(r.out));
  }
};

QTEST_GUILESS_MAIN(TestVwbTrain)
#include "TestVwbTrain.moc"
