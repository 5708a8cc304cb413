// `vwb train` across processes: two processes over a loopback TCPStore (one CPU rank each) end
// with the parameters of one process with --devices cpu:2; only node 0 writes checkpoints; a
// killed rank stops the other within the timeout and leaves the last checkpoint intact.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <limits>

#include "StrategyScenarios.h"
#include "FreePort.h"
#include "TestSupport.h"

namespace {

QStringList trainArgs(const QString& data, const QString& out, int epochs) {
  return {"train", "--data", data, "--out", out, "--levels", "2", "--base-channels", "4",
          "--patch", "16", "--batch", "1", "--epochs", QString::number(epochs),
          "--steps-per-epoch", "2", "--val-fraction", "0", "--workers", "1", "--threads", "1",
          "--strategy", "ddp", "--seed", "5"};
}

QStringList nodeArgs(int rank, int port, int timeout) {
  return {"--devices", "cpu", "--nnodes", "2", "--node-rank", QString::number(rank), "--master",
          QString("127.0.0.1:%1").arg(port), "--timeout", QString::number(timeout)};
}

// Largest parameter difference between two runs' last.pt, relative to the largest reference
// parameter; infinity when the checkpoints hold different parameter counts.
double lastCheckpointRelDiff(const QString& run, const QString& reference) {
  auto a = vwbtest::dist::checkpointParameters((run + "/checkpoints/last.pt").toStdString());
  auto b = vwbtest::dist::checkpointParameters((reference + "/checkpoints/last.pt").toStdString());
  if (a.size() != b.size() || a.empty()) return std::numeric_limits<double>::infinity();
  double scale = 1e-12, worst = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst / scale;
}

}  // namespace

class TestDistributedTraining : public QObject {
  Q_OBJECT
  QTemporaryDir dir_ = vwbtest::scratchDir();
  QString data_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = dir_.path() + "/data";
    auto r = vwbtest::run(vwbtest::vwbExe(),
                          {"synth", "--out", data_, "--train", "2", "--test", "1", "--size", "32"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
  }

  void twoProcessesMatchOneProcessWithTwoRanks() {
    QString one = dir_.path() + "/one";
    auto r = vwbtest::run(vwbtest::vwbExe(), trainArgs(data_, one, 1) + QStringList{"--devices", "cpu:2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    int port = vwbtest::freePort();
    QString n0 = dir_.path() + "/node0", n1 = dir_.path() + "/node1";
    QProcess p0, p1;
    // Small buckets across processes (many all-reduces per step, launched during backward) sum
    // the same numbers as one bucket in one process.
    const QStringList small{"--bucket-mb", "0.002"};
    p0.start(vwbtest::vwbExe(), trainArgs(data_, n0, 1) + nodeArgs(0, port, 30) + small);
    p1.start(vwbtest::vwbExe(), trainArgs(data_, n1, 1) + nodeArgs(1, port, 30) + small);
    QVERIFY(p0.waitForFinished(vwbtest::kLastResortMs));
    QVERIFY(p1.waitForFinished(vwbtest::kLastResortMs));
    const QString err0 = QString::fromUtf8(p0.readAllStandardError());
    QVERIFY2(p0.exitCode() == 0, qPrintable(err0));
    QVERIFY2(p1.exitCode() == 0, p1.readAllStandardError().constData());
    QRegularExpression buckets("(\\d+) gradient buckets of <= 0.002 MB");
    auto m = buckets.match(err0);
    QVERIFY2(m.hasMatch() && m.captured(1).toInt() > 3, qPrintable(err0));

    double diff = lastCheckpointRelDiff(n0, one);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QVERIFY(!QFile::exists(n1 + "/checkpoints/last.pt"));  // only node 0 writes
  }

  // Separate run folders (no shared file system): node 1 keeps only its own log and settings
  // under nodes/node-1/, and a --resume on both nodes continues from node 0's checkpoint, which
  // node 1 receives over the process group. The result equals the same run and resume done by
  // one process with two CPU ranks.
  void resumeAcrossNodesWithoutASharedFolder() {
    QString one = dir_.path() + "/r-one";
    auto r = vwbtest::run(vwbtest::vwbExe(), trainArgs(data_, one, 1) + QStringList{"--devices", "cpu:2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = vwbtest::run(vwbtest::vwbExe(), {"train", "--out", one, "--resume", "--epochs", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    QString n0 = dir_.path() + "/r-node0", n1 = dir_.path() + "/r-node1";
    auto both = [&](const QStringList& a0, const QStringList& a1) {
      QProcess p0, p1;
      p0.start(vwbtest::vwbExe(), a0);
      p1.start(vwbtest::vwbExe(), a1);
      bool done = p0.waitForFinished(vwbtest::kLastResortMs) && p1.waitForFinished(vwbtest::kLastResortMs);
      return QString(done && p0.exitCode() == 0 && p1.exitCode() == 0
                         ? ""
                         : "node 0: " + p0.readAllStandardError() + "\nnode 1: " +
                               p1.readAllStandardError());
    };
    int port = vwbtest::freePort();
    QString failed = both(trainArgs(data_, n0, 1) + nodeArgs(0, port, 30),
                          trainArgs(data_, n1, 1) + nodeArgs(1, port, 30));
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    for (const char* f : {"config.json", "metrics.jsonl", "logs/training.log", "checkpoints/last.pt"})
      QVERIFY2(!QFile::exists(n1 + "/" + f), f);  // node 0's files only
    QVERIFY(QFile::exists(n1 + "/nodes/node-1/config.json"));
    QVERIFY(QFile::exists(n1 + "/nodes/node-1/training.log"));
    QFile metrics(n0 + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    QCOMPARE(metrics.readAll().count("\"type\":\"step\""), 2);

    port = vwbtest::freePort();
    const QString master = QString("127.0.0.1:%1").arg(port);
    failed = both({"train", "--out", n0, "--resume", "--epochs", "2", "--node-rank", "0", "--master", master},
                  {"train", "--out", n1, "--resume", "--epochs", "2", "--node-rank", "1", "--master", master});
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QVERIFY(!QFile::exists(n1 + "/checkpoints/last.pt"));
    double diff = lastCheckpointRelDiff(n0, one);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // An out-of-memory on one rank (simulated at step 1, where the loop's fault hook throws what a
  // CUDA OOM throws) halves the micro-batch on every rank and keeps the global batch by
  // accumulation. The reference asks for that arithmetic directly (--batch 1
  // --grad-accumulation 2: the same global batch of 4, the same shard of 2 per rank, summed in
  // micro-batches of 1 in the same order), so the two runs must end bit-identical on any CPU:
  // only the dropped attempt differs, and it must leave no trace.
  void outOfMemoryHalvesTheMicroBatchAndKeepsTheResult_data() {
    QTest::addColumn<QString>("strategy");
    QTest::newRow("ddp") << "ddp";
    QTest::newRow("dp") << "dp";
  }
  void outOfMemoryHalvesTheMicroBatchAndKeepsTheResult() {
    QFETCH(QString, strategy);
    auto args = [&](const QString& out, const QString& batch, const QString& accumulation) {
      QStringList a = trainArgs(data_, out, 1) + QStringList{"--devices", "cpu:2", "--grad-accumulation", accumulation};
      a[a.indexOf("--strategy") + 1] = strategy;
      a[a.indexOf("--batch") + 1] = batch;
      return a;
    };
    QString reference = dir_.path() + "/oom-reference-" + strategy, faulty = dir_.path() + "/oom-" + strategy;
    auto r = vwbtest::run(vwbtest::vwbExe(), args(reference, "1", "2"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    qputenv("VWB_FAULT_OOM_AT_STEP", "1");
    auto f = vwbtest::run(vwbtest::vwbExe(), args(faulty, "2", "1"));
    qunsetenv("VWB_FAULT_OOM_AT_STEP");
    QVERIFY2(f.exitCode == 0, qPrintable(f.err));
    QVERIFY2(f.err.contains("out of memory on 1 ") && f.err.contains("at step 1: micro-batch 2 -> 1"),
             qPrintable(f.err));
    QFile metrics(faulty + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    const QByteArray lines = metrics.readAll();
    QCOMPARE(lines.count("\"micro_batch\":1"), 2);  // both steps ran in micro-batches of 1
    const double diff = lastCheckpointRelDiff(faulty, reference);
    QVERIFY2(diff == 0, qPrintable(QString::number(diff)));

    // The halved micro-batch is part of the strategy's state in last.pt (the one schema of every
    // strategy, StrategyStep.h) and a resume goes on with it: it does not run out of memory again
    // to find it. Before, only the single-device strategy saved it.
    QCOMPARE(vwbtest::dist::checkpointMicroBatch((faulty + "/checkpoints/last.pt").toStdString()), 1LL);
    QCOMPARE(vwbtest::dist::checkpointMicroBatch((reference + "/checkpoints/last.pt").toStdString()), 1LL);
    auto resumed = vwbtest::run(vwbtest::vwbExe(), {"train", "--out", faulty, "--resume", "--epochs", "2"});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QFile again(faulty + "/metrics.jsonl");
    QVERIFY(again.open(QIODevice::ReadOnly));
    const QByteArray all = again.readAll();
    QCOMPARE(all.count("\"type\":\"step\""), 4);
    QCOMPARE(all.count("\"micro_batch\":1"), 4);  // the resumed steps too (not 2 again)
    QCOMPARE(vwbtest::dist::checkpointMicroBatch((faulty + "/checkpoints/last.pt").toStdString()), 1LL);
  }

  void killedRankStopsTheOtherAndKeepsTheCheckpoint() {
    int port = vwbtest::freePort();
    QString n0 = dir_.path() + "/kill0", n1 = dir_.path() + "/kill1";
    QProcess p0, p1;
    p0.start(vwbtest::vwbExe(), trainArgs(data_, n0, 50) + nodeArgs(0, port, 10));
    p1.start(vwbtest::vwbExe(), trainArgs(data_, n1, 50) + nodeArgs(1, port, 10));
    const QString last = n0 + "/checkpoints/last.pt";
    QElapsedTimer wait;
    wait.start();
    while (!QFile::exists(last) && wait.elapsed() < vwbtest::kLastResortMs) QTest::qWait(100);
    QVERIFY2(QFile::exists(last), "node 0 never wrote a checkpoint");
    QTest::qWait(300);
    p1.kill();  // SIGKILL: no cleanup, its sockets just close
    // Node 0 notices the lost peer (its socket closes) and ends with an error rather than
    // training on: it exits 1 before its 50 epochs. How fast is the product's --timeout promise,
    // shown by hand and in the note, not a test budget: the wait is only a last resort.
    QVERIFY(p0.waitForFinished(vwbtest::kLastResortMs));
    QCOMPARE(p0.exitCode(), 1);
    QString err = QString::fromUtf8(p0.readAllStandardError());
    QVERIFY2(err.contains("rank") && err.contains("another rank stopped"), qPrintable(err));
    auto params = vwbtest::dist::checkpointParameters(last.toStdString());  // still loadable
    QVERIFY(!params.empty());
  }
};

QTEST_GUILESS_MAIN(TestDistributedTraining)
#include "TestDistributedTraining.moc"
