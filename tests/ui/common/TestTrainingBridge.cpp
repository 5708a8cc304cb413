// Engine threads -> Qt signals: everything arrives, in order, on the GUI thread, in few
// batches; runs and background tasks report their end (finished, stopped, failed, cancelled).
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include "TestSupport.h"
#include <thread>

#include "FakeEngine.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/TrainingBridge.h"
#include "ui/common/TrainingThread.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
class ThrowingEngine : public vwbtest::FakeEngine {
 public:
  RunEndEvent runTraining(const TrainConfig&, TrainingSink&, const CancelToken&) override {
    throw Error("/data/train.csv: no such file");
  }
};
}  // namespace

class TestTrainingBridge : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void deliversInOrderOnGuiThread() {
    TrainingBridge bridge;
    constexpr int kThreads = 4, kPerThread = 2000;
    std::vector<std::vector<int64_t>> seen(kThreads);
    bool offThread = false;
    connect(&bridge, &TrainingBridge::stepReceived, this, [&](const StepEvent& e) {
      offThread |= QThread::currentThread() != qApp->thread();
      seen[e.epoch].push_back(e.step);
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&bridge, t] {
        for (int i = 0; i < kPerThread; ++i) {
          StepEvent e;
          e.epoch = t;  // the producing thread
          e.step = i;
          bridge.onStep(e);
        }
      });
    for (auto& th : threads) th.join();
    QTRY_COMPARE_WITH_TIMEOUT(int(seen[0].size() + seen[1].size() + seen[2].size() + seen[3].size()), kThreads * kPerThread, vwbtest::kLastResortMs);
    QVERIFY(!offThread);
    for (const auto& s : seen)
      for (int i = 0; i < kPerThread; ++i) QCOMPARE(s[i], int64_t(i));
    qInfo("%d events in %d drains", kThreads * kPerThread, bridge.drainCount());
    QVERIFY(bridge.drainCount() < kThreads * kPerThread / 10);
  }

  void runFinishesAndStops() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 1;
    TrainConfig config;
    config.run.dir = "/tmp/x";
    TrainingThread run(engine, config);
    QSignalSpy checkpoints(run.bridge(), &TrainingBridge::checkpointWritten);
    QSignalSpy ends(&run, &TrainingThread::finished);
    run.start();
    QVERIFY(ends.wait(vwbtest::kLastResortMs));
    QCOMPARE(ends.at(0).at(0).value<RunEndEvent>().outcome, RunOutcome::Finished);
    QCOMPARE(checkpoints.size(), 1);  // delivered before finished()
    QCOMPARE(checkpoints.at(0).at(0).toString(), QString("/tmp/x/checkpoints/last.pt"));
    QVERIFY(!run.running());
  }

  void failureIsReported() {
    auto engine = std::make_shared<ThrowingEngine>();
    TrainingThread run(engine, TrainConfig{});
    QSignalSpy logs(run.bridge(), &TrainingBridge::logLine);
    QSignalSpy ends(&run, &TrainingThread::finished);
    run.start();
    QVERIFY(ends.wait(vwbtest::kLastResortMs));
    const RunEndEvent end = ends.at(0).at(0).value<RunEndEvent>();
    QCOMPARE(end.outcome, RunOutcome::Failed);
    QVERIFY(QString::fromStdString(end.message).contains("train.csv"));
    QCOMPARE(logs.size(), 1);
  }

  void destroyingARunningRunJoins() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    engine->script.epochs = 1000;
    auto run = std::make_unique<TrainingThread>(engine, TrainConfig{});
    run->start();
    QTest::qWait(30);
    run.reset();  // cancels and joins: no thread left writing into a dead sink
    QTest::qWait(20);
  }

  void backgroundTaskProgressCancelFailure() {
    BackgroundTask ok("count", [](ProgressSink& p, const CancelToken&) {
      for (int i = 1; i <= 10000; ++i) p.progress("counting", i, 10000);
    });
    QSignalSpy progress(&ok, &BackgroundTask::progressChanged);
    QSignalSpy done(&ok, &BackgroundTask::finished);
    ok.start();
    QVERIFY(done.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), vwbtest::kLastResortMs);
    QVERIFY(progress.size() < 10000);  // coalesced: the latest value wins
    QCOMPARE(progress.last().at(1).toLongLong(), 10000);

    // Stages in turn, with no wait between them (the worker always outruns the GUI thread here):
    // each stage's last reading is delivered, in order, before the next stage's, even though
    // the readings within a stage are coalesced. The ensemble's prediction counted on this.
    // (Ten rounds: twenty stage changes, under the 32 undelivered ones a task keeps.)
    BackgroundTask staged("stages", [](ProgressSink& p, const CancelToken&) {
      for (int round = 0; round < 10; ++round) {
        for (int i = 1; i <= 1000; ++i) p.progress("predicting", round * 1000 + i, 10000);
        p.progress("scoring", round, 10);
      }
    });
    QSignalSpy stagedProgress(&staged, &BackgroundTask::progressChanged);
    QSignalSpy stagedDone(&staged, &BackgroundTask::finished);
    staged.start();
    QVERIFY(stagedDone.wait(vwbtest::kLastResortMs));
    QTRY_VERIFY_WITH_TIMEOUT(!stagedProgress.isEmpty() && stagedProgress.last().at(0).toString() == "scoring" &&
                                 stagedProgress.last().at(1).toLongLong() == 9,
                             vwbtest::kLastResortMs);
    int64_t lastPredicted = 0;
    for (int i = 0; i < stagedProgress.size(); ++i) {
      const QString stage = stagedProgress.at(i).at(0).toString();
      const int64_t value = stagedProgress.at(i).at(1).toLongLong();
      if (stage == "predicting") {
        QVERIFY(value > lastPredicted);  // only rises
        lastPredicted = value;
      } else if (i > 0 && stagedProgress.at(i - 1).at(0).toString() == "predicting") {
        QCOMPARE(lastPredicted % 1000, int64_t(0));  // a round's 100 % came before its score
      }
    }
    QCOMPARE(lastPredicted, int64_t(10000));

    BackgroundTask slow("slow", [](ProgressSink&, const CancelToken& c) {
      for (;;) {
        c.throwIfCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    QSignalSpy failed(&slow, &BackgroundTask::failed);
    slow.start();
    QTest::qWait(20);
    slow.cancel();
    QVERIFY(failed.wait(vwbtest::kLastResortMs));
    QCOMPARE(failed.at(0).at(0).toString(), QString("cancelled"));

    BackgroundTask bad("bad", [](ProgressSink&, const CancelToken&) { throw Error("/x/y.tif: not a TIFF"); });
    QSignalSpy badFailed(&bad, &BackgroundTask::failed);
    bad.start();
    QVERIFY(badFailed.wait(vwbtest::kLastResortMs));
    QCOMPARE(badFailed.at(0).at(0).toString(), QString("/x/y.tif: not a TIFF"));
  }
};

QTEST_MAIN(TestTrainingBridge)
#include "TestTrainingBridge.moc"
