// Training options of the competition recipes: architecture presets, deep supervision, skeleton
// recall, EMA of the weights and SGD + poly; each resumes bit-exactly (like TestTrainer's
// resumedRunEqualsUninterruptedRun), and the loss pieces agree with hand-checked values.
#include <QtTest>

#include <cmath>
#include <filesystem>

#include "OptionChecks.h"
#include "SheetVolumes.h"
#include "TestSupport.h"
#include "TinyConfig.h"
#include "TrainChecks.h"
#include "engine/core/Error.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/model/ModelPresets.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/SkeletonTube.h"
#include "engine/trainer/Trainer.h"

namespace {

class QuietSink : public vwb::TrainingSink {
 public:
  QuietSink(vwb::CancelToken* cancel = nullptr, int64_t cancelAtStep = -1)
      : cancel_(cancel), cancelAt_(cancelAtStep) {}
  void log(vwb::LogLevel, const std::string&) override {}
  void onStep(const vwb::StepEvent& e) override {
    losses.push_back(e.loss);
    if (cancel_ && e.step == cancelAt_) cancel_->cancel();
  }
  void onEpoch(const vwb::EpochEvent& e) override {
    if (e.valDice) valDice.push_back(*e.valDice);
  }
  std::vector<double> losses, valDice;

 private:
  vwb::CancelToken* cancel_;
  int64_t cancelAt_;
};

vwb::TrainConfig smallConfig(const QString& runDir) {
  vwb::TrainConfig c = vwbtest::tinyTrainConfig(runDir.toStdString());
  c.model.levels = 3;
  c.run.stepsPerEpoch = 3;
  c.validation.crop = 16;
  c.run.seed = 5;
  return c;
}

std::string checkpoint(const vwb::TrainConfig& c, const char* name) {
  return c.run.dir + "/checkpoints/" + name;
}

// A label volume with a z-slab of surface voxels [z0, z0 + thickness), full extent in y and x.
std::vector<uint8_t> slab(int64_t edge, int64_t z0, int64_t thickness) {
  std::vector<uint8_t> v(static_cast<size_t>(edge * edge * edge), 0);
  for (int64_t z = z0; z < z0 + thickness; ++z)
    for (int64_t i = 0; i < edge * edge; ++i) v[size_t(z * edge * edge + i)] = 1;
  return v;
}

int64_t countLayer(const std::vector<uint8_t>& v, int64_t edge, int64_t z) {
  int64_t n = 0;
  for (int64_t i = 0; i < edge * edge; ++i) n += v[size_t(z * edge * edge + i)] != 0;
  return n;
}

int components26(const vwb::VolumeU8& m) {
  const auto s = m.shape;
  std::vector<char> seen(m.data.size(), 0);
  int count = 0;
  for (int64_t start = 0; start < s.voxels(); ++start) {
    if (!m.data[size_t(start)] || seen[size_t(start)]) continue;
    ++count;
    std::vector<int64_t> stack{start};
    seen[size_t(start)] = 1;
    while (!stack.empty()) {
      int64_t i = stack.back();
      stack.pop_back();
      int64_t z = i / (s.h * s.w), y = (i / s.w) % s.h, x = i % s.w;
      for (int64_t dz = -1; dz <= 1; ++dz)
        for (int64_t dy = -1; dy <= 1; ++dy)
          for (int64_t dx = -1; dx <= 1; ++dx) {
            int64_t zz = z + dz, yy = y + dy, xx = x + dx;
            if (zz < 0 || yy < 0 || xx < 0 || zz >= s.d || yy >= s.h || xx >= s.w) continue;
            int64_t j = (zz * s.h + yy) * s.w + xx;
            if (m.data[size_t(j)] && !seen[size_t(j)]) {
              seen[size_t(j)] = 1;
              stack.push_back(j);
            }
          }
    }
  }
  return count;
}

}  // namespace

class TestTrainingOptions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void deepSupervisionWeightsHalveAndSumToOne() {
    auto w = optionchecks::deepSupervisionWeights(3);
    QCOMPARE(w.size(), size_t(3));
    // 1, 1/2, 1/4 normalized: 4/7, 2/7, 1/7 (double rounding only).
    QVERIFY(std::abs(w[0] - 4.0 / 7) < 1e-15 && std::abs(w[1] - 2.0 / 7) < 1e-15 &&
            std::abs(w[2] - 1.0 / 7) < 1e-15);
    QCOMPARE(optionchecks::deepSupervisionWeights(1), std::vector<double>{1.0});
  }

  // One 2x2x2 block per case: surface wins over ignore, ignore over background.
  void downsampledLabelKeepsSurfaceAndIgnore() {
    const int64_t edge = 4;
    std::vector<uint8_t> label(64, 0);
    auto at = [&](int64_t z, int64_t y, int64_t x) -> uint8_t& { return label[size_t((z * 4 + y) * 4 + x)]; };
    at(0, 0, 0) = 2, at(1, 1, 1) = 1;  // block (0,0,0): 1 and 2 -> 1
    at(0, 0, 2) = 2;                   // block (0,0,1): 2 and 0 -> 2
    at(3, 3, 3) = 1;                   // block (1,1,1): one thin voxel -> 1
    auto coarse = optionchecks::downsampleLabel(label, edge, 2);
    QCOMPARE(coarse, (std::vector<uint8_t>{1, 2, 0, 0, 0, 0, 0, 1}));
  }

  void skeletonRecallIsOneMinusTubeRecall() {
    std::vector<uint8_t> label{1, 1, 1, 0, 2, 1}, tube{1, 1, 0, 0, 1, 0};
    // Tube voxels on valid labels: 2 (the one on label 2 is ignored). p = 1 everywhere: recall 1.
    QVERIFY(std::abs(optionchecks::skeletonRecallLoss(40.f, label, tube)) < 1e-6);
    // p = sigmoid(0) = 0.5: 1 - (2 * 0.5 + 1) / (2 + 1) = 1/3 (float sigmoid and sums).
    QVERIFY(std::abs(optionchecks::skeletonRecallLoss(0.f, label, tube) - 1.0 / 3) < 1e-6);
    // p = 0: 1 - 1/3.
    QVERIFY(std::abs(optionchecks::skeletonRecallLoss(-40.f, label, tube) - 2.0 / 3) < 1e-6);
  }

  // A 5-voxel slab thins to its middle layer; the tube is the middle three layers.
  void thickSlabThinsToItsMiddleSurface() {
    const int64_t edge = 12;
    auto label = slab(edge, 3, 5);
    std::vector<uint8_t> tube(label.size());
    vwb::skeletonTube(label.data(), {edge, edge, edge}, tube.data());
    QCOMPARE(countLayer(tube, edge, 3), int64_t(0));
    QCOMPARE(countLayer(tube, edge, 4), edge * edge);
    QCOMPARE(countLayer(tube, edge, 5), edge * edge);
    QCOMPARE(countLayer(tube, edge, 6), edge * edge);
    QCOMPARE(countLayer(tube, edge, 7), int64_t(0));
    vwb::VolumeU8 mask({edge, edge, edge});
    mask.data = label;
    vwb::thinToMedialSurface(mask);
    int64_t total = 0;
    for (auto v : mask.data) total += v;
    QCOMPARE(total, edge * edge);  // one layer, no hole punched, no edge eaten
    QCOMPARE(countLayer(mask.data, edge, 5), edge * edge);
  }

  // A thick slab with a through hole keeps the hole and stays one piece: thinning preserves
  // topology (rims inside the volume may recede, as in any thinning).
  void thinningKeepsHoles() {
    const int64_t edge = 14;
    vwb::VolumeU8 mask({edge, edge, edge});
    for (int64_t z = 4; z < 9; ++z)
      for (int64_t y = 1; y < edge - 1; ++y)
        for (int64_t x = 1; x < edge - 1; ++x)
          mask.at(z, y, x) = !(y >= 5 && y < 9 && x >= 5 && x < 9);
    vwb::thinToMedialSurface(mask);
    int64_t inHole = 0, total = 0;
    for (int64_t z = 0; z < edge; ++z)
      for (int64_t y = 0; y < edge; ++y)
        for (int64_t x = 0; x < edge; ++x) {
          bool hole = y >= 5 && y < 9 && x >= 5 && x < 9;
          inHole += hole && mask.at(z, y, x);
          total += mask.at(z, y, x);
        }
    QCOMPARE(inHole, int64_t(0));
    QCOMPARE(components26(mask), 1);
    // Every column around the hole (two voxels out) still crosses the surface: the ring closes.
    for (int64_t i = 3; i <= 10; ++i)
      for (auto [y, x] : {std::pair<int64_t, int64_t>{3, i}, {10, i}, {i, 3}, {i, 10}}) {
        int64_t column = 0;
        for (int64_t z = 0; z < edge; ++z) column += mask.at(z, y, x);
        QVERIFY2(column >= 1, qPrintable(QString("column y=%1 x=%2 is empty").arg(y).arg(x)));
      }
    QVERIFY(total < 5 * (12 * 12 - 16) / 2);  // and it did thin
  }

  void polyScheduleFollowsNnUNet() {
    QCOMPARE(vwb::polyLearningRate(0.01, 0, 100), 0.01);
    QVERIFY(std::abs(vwb::polyLearningRate(0.01, 50, 100) - 0.01 * std::pow(0.5, 0.9)) < 1e-15);
    QCOMPARE(vwb::polyLearningRate(0.01, 100, 100), 0.0);
  }

  void badOptionsAreRefused() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    vwb::CancelToken never;
    QuietSink sink;
    auto c = smallConfig(dir.path() + "/a");
    c.optimizer.emaDecay = 1.0;
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::runTraining(c, volumes, sink, never));
    c = smallConfig(dir.path() + "/b");
    c.optimizer.skeletonRecallWeight = -1;
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::runTraining(c, volumes, sink, never));
  }

  void resumeIsExactWithEachOption_data() {
    QTest::addColumn<QString>("option");
    QTest::newRow("deep-supervision") << "ds";
    QTest::newRow("skeleton-recall") << "skeleton";
    QTest::newRow("ema") << "ema";
    QTest::newRow("sgd") << "sgd";
    QTest::newRow("resenc-m") << "resenc";
  }

  void resumeIsExactWithEachOption() {
    QFETCH(QString, option);
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    auto configure = [&](const QString& name) {
      auto c = smallConfig(dir.path() + "/" + name);
      if (option == "ds") c.model.deepSupervision = true;
      if (option == "skeleton") c.optimizer.skeletonRecallWeight = 1.0;
      if (option == "ema") c.optimizer.emaDecay = 0.9;
      if (option == "sgd") {
        c.optimizer.kind = vwb::OptimizerKind::Sgd;
        c.optimizer.lr = 0.01;
      }
      if (option == "resenc") {
        c.model.arch = vwb::ArchKind::ResEncM;
        c.model = vwb::modelForPatch(c.model, c.data.patch);  // 3 stages at 16^3
      }
      return c;
    };
    vwb::CancelToken never;
    auto straight = configure("straight");
    QuietSink s0;
    vwb::runTraining(straight, volumes, s0, never);
    for (double loss : s0.losses) QVERIFY(std::isfinite(loss));

    auto c = configure("interrupted");
    for (int64_t stopAt : {2, 3}) {  // mid-epoch, and an epoch's last step
      vwb::CancelToken cancel;
      QuietSink sink(&cancel, stopAt);
      auto end = vwb::runTraining(c, volumes, sink, cancel);
      QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Stopped));
      c.run.resume = true;
    }
    QuietSink last;
    auto end = vwb::runTraining(c, volumes, last, never);
    QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Finished));
    QCOMPARE(trainchecks::maxWeightDifference(checkpoint(straight, "last.pt"), checkpoint(c, "last.pt")),
             0.0);
    QCOMPARE(last.losses.back(), s0.losses.back());
    QCOMPARE(last.valDice.back(), s0.valDice.back());
    auto info = vwb::readCheckpointInfo(checkpoint(c, "best.pt"));
    QCOMPARE(int(info.model.arch), int(straight.model.arch));
    QCOMPARE(info.model.deepSupervision, straight.model.deepSupervision);
    if (option == "ema") {
      QCOMPARE(trainchecks::maxWeightDifference(checkpoint(straight, "ema.pt"), checkpoint(c, "ema.pt")),
               0.0);
      // The average lags the weights: a different model, loadable like best.pt.
      QVERIFY(trainchecks::maxWeightDifference(checkpoint(c, "ema.pt"), checkpoint(c, "last.pt")) > 0);
      bool eval = false;
      QCOMPARE(trainchecks::predictorOutputShape(checkpoint(c, "ema.pt"), &eval),
               std::string("1x1x16x16x16"));
    } else {
      QVERIFY(!std::filesystem::exists(checkpoint(c, "ema.pt")));
    }
  }
};

QTEST_GUILESS_MAIN(TestTrainingOptions)
#include "TestTrainingOptions.moc"
