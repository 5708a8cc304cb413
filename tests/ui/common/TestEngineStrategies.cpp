// Every strategy the planner can offer, on any hardware, runs through the door the GUI uses
// (Engine::runTraining of makeRealEngine()): the planner is asked for its options on this
// machine and on assumed ones (one GPU, two GPUs, two nodes of two GPUs), and each strategy it
// names is trained for real on CPU stand-ins of its devices (cpu for one device, cpu:2 for
// several; two nodes as two in-process nodes over a loopback rendezvous). Nothing is registered
// first: linking the engine is all it takes. A planner option the engine cannot build fails here.
#include <QtTest>

#include <set>
#include <thread>

#include "FreePort.h"
#include "TestSupport.h"
#include "TinyTrainConfig.h"
#include "ui/common/Engine.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
struct Recorder : TrainingSink {
  std::mutex mutex;
  RunStartEvent start;
  int steps = 0;
  void onRunStart(const RunStartEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex);
    start = e;
  }
  void onStep(const StepEvent&) override {
    std::lock_guard<std::mutex> lock(mutex);
    ++steps;
  }
};
}  // namespace

class TestEngineStrategies : public QObject {
  Q_OBJECT
  QTemporaryDir scratch_ = vwbtest::scratchDir();
  EnginePtr engine_ = makeRealEngine();
  Dataset dataset_;
  DatasetFingerprint fingerprint_;

  // Each (strategy, nodes) the planner offers somewhere, with the hardware that offered it.
  std::map<std::pair<StrategyKind, int>, std::string> offered() {
    std::map<std::pair<StrategyKind, int>, std::string> out;
    std::vector<std::pair<std::string, HardwareInventory>> machines{{"this machine", engine_->detectHardware()},
                                                                    {"1 GPU", engine_->assumeGpus("1x16GB")},
                                                                    {"2 GPUs", engine_->assumeGpus("2x16GB")}};
    HardwareInventory twoNodes = engine_->assumeGpus("2x16GB");
    twoNodes.nodes = 2;
    machines.push_back({"2 nodes of 2 GPUs", twoNodes});
    for (const auto& [name, hw] : machines) {
      UserConstraints uc;
      if (hw.nodes > 1) uc.master = "127.0.0.1:29500";
      const Plan plan = engine_->makePlan(hw, fingerprint_, uc);
      out.emplace(std::make_pair(plan.config.distributed.strategy, plan.config.distributed.nnodes), name);
      for (const StrategyOption& o : plan.options) out.emplace(std::make_pair(o.kind, plan.config.distributed.nnodes), name);
    }
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    SynthOptions o;
    o.train = 3;
    o.test = 1;
    o.size = {32, 32, 32};
    const std::string data = scratch_.filePath("data").toStdString();
    engine_->writeSyntheticDataset(data, o, nullptr);
    dataset_ = engine_->scanDataset(data, nullptr, nullptr);
    engine_->preprocess(dataset_, nullptr, nullptr);  // two nodes must not both build the cache
    fingerprint_ = engine_->fingerprint(dataset_, nullptr, nullptr);
  }

  void everyOfferedStrategyRunsThroughTheGuiDoor() {
    const auto options = offered();
    std::set<StrategyKind> kinds;
    for (const auto& [key, where] : options) kinds.insert(key.first);
    // The planner's repertoire as the wizard shows it: all three, and several nodes.
    QVERIFY(kinds.count(StrategyKind::Single) && kinds.count(StrategyKind::Ddp) &&
            kinds.count(StrategyKind::DataParallel));
    QVERIFY(std::any_of(options.begin(), options.end(), [](const auto& o) { return o.first.second > 1; }));
    int run = 0;
    for (const auto& [key, where] : options) {
      const auto [kind, nodes] = key;
      if (kind == StrategyKind::DataParallel && nodes > 1) continue;  // dp is one machine's (it says so)
      const QString label = QString("%1 on %2 node(s), offered for %3").arg(strategyName(kind)).arg(nodes).arg(where.c_str());
      TrainConfig c = vwbtest::tinyTrainConfig(scratch_.filePath("data").toStdString(), "", 1, 2);
      c.distributed.strategy = kind;
      c.distributed.devices = {kind == StrategyKind::Single ? "cpu" : "cpu:2"};
      if (kind == StrategyKind::Auto) c.distributed.devices = {"cpu:2"};
      c.distributed.nnodes = nodes;
      if (nodes > 1) c.distributed.master = "127.0.0.1:" + std::to_string(vwbtest::freePort());
      std::vector<Recorder> sinks(static_cast<size_t>(nodes));
      std::vector<RunEndEvent> ends(static_cast<size_t>(nodes));
      std::vector<std::thread> threads;
      for (int n = 0; n < nodes; ++n) {
        TrainConfig node = c;
        node.distributed.nodeRank = n;
        node.run.dir = scratch_.filePath(QString("run-%1-node%2").arg(run).arg(n)).toStdString();
        threads.emplace_back([this, node, n, &sinks, &ends] {
          CancelToken never;
          try {
            ends[size_t(n)] = engine_->runTraining(node, sinks[size_t(n)], never);
          } catch (const std::exception& e) {
            ends[size_t(n)] = RunEndEvent{RunOutcome::Failed, e.what(), 0, 0};
          }
        });
      }
      for (auto& t : threads) t.join();
      for (int n = 0; n < nodes; ++n) {
        QVERIFY2(ends[size_t(n)].outcome == RunOutcome::Finished,
                 qPrintable(label + ": " + QString::fromStdString(ends[size_t(n)].message)));
        QCOMPARE(sinks[size_t(n)].steps, 2);
        const std::string ran = sinks[size_t(n)].start.strategy;
        const std::string expected = kind == StrategyKind::Auto ? "ddp" : strategyName(kind);
        QVERIFY2(ran == expected, qPrintable(label + ": ran " + QString::fromStdString(ran)));
      }
      qInfo("%s: ran", qPrintable(label));
      ++run;
    }
    QVERIFY(run >= 4);  // single, ddp, dp, ddp across two nodes
  }

  // What the enum holds but no planner offers must still build (a config file can name it).
  void everyStrategyKindBuilds_data() {
    QTest::addColumn<int>("kind");
    for (StrategyKind k : {StrategyKind::Auto, StrategyKind::Single, StrategyKind::DataParallel, StrategyKind::Ddp})
      QTest::newRow(strategyName(k)) << int(k);
  }
  void everyStrategyKindBuilds() {
    QFETCH(int, kind);
    TrainConfig c = vwbtest::tinyTrainConfig(scratch_.filePath("data").toStdString(),
                                             scratch_.filePath(QString("kind-%1").arg(kind)).toStdString(), 1, 1);
    c.distributed.strategy = StrategyKind(kind);
    c.distributed.devices = {StrategyKind(kind) == StrategyKind::Single ? "cpu" : "cpu:2"};
    Recorder sink;
    CancelToken never;
    const RunEndEvent end = engine_->runTraining(c, sink, never);
    QVERIFY2(end.outcome == RunOutcome::Finished, end.message.c_str());
  }
};

QTEST_MAIN(TestEngineStrategies)
#include "TestEngineStrategies.moc"
