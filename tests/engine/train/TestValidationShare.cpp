// Validation as a planned share of training (engine/train/ValidationPlan.h, the trainer's
// Validator): the share the plan chooses at every scale, what a run records of its choice
// (config.json, training.log, metrics.jsonl), the fixed patch set across a resume, and the full
// sliding-window validation written at the run's end, which is infer's sliding window of a prediction.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "SheetVolumes.h"
#include "TestSupport.h"
#include "TrainRecords.h"
#include "TinyConfig.h"
#include "engine/core/Error.h"
#include "engine/infer/Predictor.h"
#include "engine/infer/SlidingWindow.h"
#include "engine/metrics/Dice.h"
#include "engine/train/ValidationPlan.h"
#include "engine/train/ValidationRecord.h"
#include "engine/trainer/Trainer.h"

namespace {

using vwbtest::RecordingSink;

using vwbtest::readJsonLines;

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// The digest in "validation patch set <digest>: ..." (empty when the log has none).
std::string patchSetDigest(const std::string& logs) {
  std::smatch m;
  return std::regex_search(logs, m, std::regex("validation patch set ([0-9a-f]{16})")) ? m[1].str() : "";
}

}  // namespace

class TestValidationShare : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void slidingWindowTilesCountTheWindows() {
    QCOMPARE(vwb::slidingWindowTiles({{320, 320, 320}}, 64, 0), int64_t(125));
    QCOMPARE(vwb::slidingWindowTiles({{320, 320, 320}}, 128, 0), int64_t(27));  // last window flush
    QCOMPARE(vwb::slidingWindowTiles({{320, 320, 320}, {40, 40, 40}}, 64, 0), int64_t(126));
    QCOMPARE(vwb::slidingWindowTiles({{320, 320, 320}}, 64, 128), int64_t(8));  // centred crops
    // The plan counts (engine/train cannot include infer) exactly the windows the validator
    // places with infer's windowStarts at overlap 0.
    for (int64_t size : {8, 40, 63, 64, 65, 127, 128, 129, 200, 320})
      for (int patch : {16, 64, 128}) {
        const int64_t along = int64_t(vwb::windowStarts(size, patch, 0.0).size());
        QCOMPARE(vwb::slidingWindowTiles({{size, size, size}}, patch, 0), along * along * along);
      }
  }

  // At every scale the plan keeps validation within its share of training, except where the
  // whole held-out set is no more than the smallest patch set; a validation too small to rank
  // checkpoints is never chosen, it validates less often instead.
  void planKeepsValidationWithinItsShare() {
    // The 786-volume layout on a CPU: 8 held-out 320^3 volumes at 64^3 (1000 tiles), 100 steps of
    // 2 samples: the whole set would cost ~1.75x the training; the plan takes 57 patches.
    vwb::ValidationPlan cpu = vwb::planValidation(200, 1000, 1);
    QCOMPARE(cpu.patches, 57);
    QCOMPARE(cpu.every, 1);
    QVERIFY(cpu.share <= vwb::kValidationShare);
    QVERIFY2(cpu.reason.find("57 fixed foreground patches every epoch") != std::string::npos, cpu.reason.c_str());
    for (int64_t samples : {0, 1, 4, 10, 200, 1000, 100000})
      for (int64_t tiles : {1, 8, 16, 17, 100, 1000, 27000})
        for (int every : {1, 3}) {
          const vwb::ValidationPlan p = vwb::planValidation(samples, tiles, every);
          const QString what = QString("samples %1 tiles %2 every %3: %4").arg(samples).arg(tiles).arg(every)
                                   .arg(QString::fromStdString(p.reason));
          QVERIFY2(p.every >= every, qPrintable(what));
          QCOMPARE(p.fullTiles, tiles);
          if (p.patches == 0) {  // the full sliding window: cheap, or no larger than the smallest set
            QVERIFY2(tiles <= vwb::kMinValidationPatches || p.share <= vwb::kValidationShare, qPrintable(what));
            QCOMPARE(p.every, every);
          } else {
            QVERIFY2(p.patches >= vwb::kMinValidationPatches && p.patches <= vwb::kMaxValidationPatches,
                     qPrintable(what));
            QVERIFY2(p.patches < tiles, qPrintable(what));
            QVERIFY2(p.share <= vwb::kValidationShare + 1e-12, qPrintable(what));
          }
        }
    // A short epoch: 16 patches every 6 epochs rather than 2 patches every epoch.
    vwb::ValidationPlan tiny = vwb::planValidation(10, 54, 1);
    QCOMPARE(tiny.patches, 16);
    QCOMPARE(tiny.every, 6);
    // An explicit setting is kept and described; auto is resolved in the config.
    vwb::TrainConfig c;
    c.run.stepsPerEpoch = 100;
    c.validation.patches = 40;
    c.validation.every = 2;
    vwb::ValidationPlan set = vwb::resolveValidation(c, 2, 1000);
    QCOMPARE(c.validation.patches, 40);
    QCOMPARE(set.every, 2);
    QVERIFY(std::abs(set.share - 40 * vwb::kTileCostPerTrainingSample / 400) < 1e-12);
    c.validation.patches = -1;
    c.validation.every = 1;
    vwb::resolveValidation(c, 2, 1000);
    QCOMPARE(c.validation.patches, 57);
    QCOMPARE(c.validation.every, 1);
  }

  // Auto on held-out volumes whose sliding window is larger than the budget: the run validates
  // a fixed patch set at the planned epochs, records the choice in config.json and its log, says
  // what each validation cost, and ends with the full sliding window in validation/last.json.
  void autoChoiceIsRecordedAndTheRunEndsWithTheFullWindow() {
    auto volumes = vwbtest::sheetVolumes(6, 48, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = vwbtest::tinyTrainConfig((dir.path() + "/run").toStdString());
    QCOMPARE(c.validation.patches, -1);  // auto is the default
    vwb::CancelToken never;
    RecordingSink sink;
    auto end = vwb::runTraining(c, volumes, sink, never);
    QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Finished));
    // 5 steps x 2 samples an epoch; the 2 held-out 48^3 volumes are 54 tiles of 16^3.
    auto config = readJson(c.run.dir + "/config.json");
    QCOMPARE(config["val_patches"].get<int>(), 16);
    QCOMPARE(config["val_every"].get<int>(), 6);
    QVERIFY2(sink.logs.find("validation (val_patches auto): 16 fixed foreground patches every 6 epochs") !=
                 std::string::npos, sink.logs.c_str());
    QVERIFY(!patchSetDigest(sink.logs).empty());
    // Epoch 1 is not validated (best.pt is the latest model until the first validation); epoch 2,
    // the last, is, on the patches.
    QCOMPARE(sink.epochs.size(), size_t(2));
    QVERIFY(!sink.epochs[0].valDice.has_value());
    QVERIFY(sink.epochs[0].best);
    QVERIFY(sink.epochs[1].valDice.has_value());
    QVERIFY(sink.logs.find("validation (16 fixed patches): pseudo-Dice") != std::string::npos);
    QVERIFY(std::regex_search(sink.logs, std::regex("16 tiles in [0-9.]+ s \\([0-9.]+ tiles/s\\) = [0-9.]+ % of the "
                                                    "[0-9.]+ s of training since the last one \\(planned ~[0-9.]+ %\\)")));
    int validated = 0;
    for (const auto& j : readJsonLines(c.run.dir + "/metrics.jsonl"))
      if (j["type"] == "epoch" && j.contains("val_dice")) {
        ++validated;
        QCOMPARE(j["val_kind"].get<std::string>(), std::string("patches"));
        QVERIFY(j["val_s"].get<double>() > 0);
      }
    QCOMPARE(validated, 1);
    // The full sliding window of the final model.
    const auto record = vwb::readFullValidation(vwb::fullValidationPath(c.run.dir, "last"));
    QCOMPARE(record.step, int64_t(10));
    QCOMPARE(record.tiles, int64_t(54));
    QCOMPARE(record.volumes.size(), size_t(2));
    QVERIFY(record.dice >= 0 && record.dice <= 1);
    QVERIFY(sink.logs.find("full validation of last.pt (sliding window, 54 tiles") != std::string::npos);
  }

  // The full validation is infer's sliding window (engine/infer/SlidingWindow.h): per volume, its
  // Dice is the Dice of what the Predictor (vwb predict) gives for the same checkpoint at overlap
  // 0 (windows at 0, 12, 24 on these 40^3 volumes: they overlap and blend), thresholded at 1/2,
  // counted with the one Dice (engine/metrics/Dice.h).
  void fullValidationIsTheSlidingWindowOfAPrediction() {
    auto volumes = vwbtest::sheetVolumes(6, 40, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = vwbtest::tinyTrainConfig((dir.path() + "/run").toStdString());
    c.validation.patches = 4;
    vwb::CancelToken never;
    RecordingSink sink;
    QCOMPARE(int(vwb::runTraining(c, volumes, sink, never).outcome), int(vwb::RunOutcome::Finished));
    const auto record = vwb::readFullValidation(vwb::fullValidationPath(c.run.dir, "last"));
    QCOMPARE(record.tiles, int64_t(2 * 27));
    QCOMPARE(record.volumes.size(), size_t(2));
    vwb::PredictOptions options;
    options.overlap = 0;
    options.batch = c.data.batchPerDevice;
    options.threads = c.run.threads;
    vwb::Predictor predictor(c.run.dir + "/checkpoints/last.pt", options);
    vwb::DiceCounts all;
    for (const auto& v : record.volumes) {
      const auto it = std::find_if(volumes.begin(), volumes.end(), [&](const auto& t) { return t.id == v.id; });
      QVERIFY(it != volumes.end());
      const vwb::VolumeU8 probability = predictor.predict(it->image);
      std::vector<uint8_t> mask(probability.data.size());
      for (size_t i = 0; i < mask.size(); ++i) mask[i] = probability.data[i] >= 128;  // round(255 p) >= 128: p > 1/2
      const vwb::DiceCounts counts = vwb::countDice(mask.data(), it->label.data.data(), mask.size());
      all.add(counts);
      qInfo("%s: validation Dice %.9f, prediction Dice %.9f (%g predicted voxels)", v.id.c_str(), v.dice,
            counts.dice(), counts.predicted);
      QVERIFY(counts.predicted > 0);
      // Same windows, weights, kernels and CPU: equal here (they were, to the last digit, on the
      // machine that wrote this). Only a voxel whose blended probability is within float rounding
      // of 1/2 could fall either way (the Predictor divides and rounds to 8 bits, validation
      // compares the weighted sum with half the weight): 1e-4 allows ~8 such voxels of ~40,000.
      QVERIFY2(std::abs(counts.dice() - v.dice) <= 1e-4, qPrintable(QString::number(counts.dice() - v.dice)));
    }
    QVERIFY(std::abs(all.dice() - record.dice) <= 1e-4);
  }

  // The patch set is drawn from the seed alone: a run stopped mid-epoch and resumed validates the
  // same patches (the same digest, the same pseudo-Dice as the run that was never stopped) and
  // writes the same full validation at its end. Resuming the finished run again changes nothing.
  void patchSetIsFixedAcrossResume() {
    auto volumes = vwbtest::sheetVolumes(6, 48, 3);
    auto dir = vwbtest::scratchDir();
    auto config = [&](const char* name) {
      vwb::TrainConfig c = vwbtest::tinyTrainConfig((dir.path() + "/" + name).toStdString());
      c.validation.patches = 6;
      return c;
    };
    vwb::CancelToken never;
    vwb::TrainConfig straight = config("straight");
    RecordingSink s0;
    vwb::runTraining(straight, volumes, s0, never);
    const std::string digest = patchSetDigest(s0.logs);
    QVERIFY(!digest.empty());
    QCOMPARE(s0.epochs.size(), size_t(2));

    vwb::TrainConfig c = config("interrupted");
    vwb::CancelToken cancel;
    RecordingSink first(&cancel, 7);  // stopped in epoch 2, after epoch 1's validation
    QCOMPARE(int(vwb::runTraining(c, volumes, first, cancel).outcome), int(vwb::RunOutcome::Stopped));
    QCOMPARE(patchSetDigest(first.logs), digest);
    QCOMPARE(*first.epochs.at(0).valDice, *s0.epochs[0].valDice);
    c.run.resume = true;
    RecordingSink second;
    QCOMPARE(int(vwb::runTraining(c, volumes, second, never).outcome), int(vwb::RunOutcome::Finished));
    QCOMPARE(patchSetDigest(second.logs), digest);
    QCOMPARE(*second.epochs.at(0).valDice, *s0.epochs[1].valDice);
    QCOMPARE(second.epochs.at(0).valDiceEma, s0.epochs[1].valDiceEma);
    const auto a = vwb::readFullValidation(vwb::fullValidationPath(straight.run.dir, "last"));
    const auto b = vwb::readFullValidation(vwb::fullValidationPath(c.run.dir, "last"));
    QCOMPARE(b.dice, a.dice);
    QCOMPARE(b.loss, a.loss);
    // config.json keeps the choice that was made.
    QCOMPARE(readJson(c.run.dir + "/config.json")["val_patches"].get<int>(), 6);

    RecordingSink third;
    vwb::runTraining(c, volumes, third, never);
    QVERIFY2(third.logs.find("full validation of the final model") == std::string::npos, third.logs.c_str());
  }

  // A config written before val_patches existed keeps the validation it had (the full sliding
  // window); a value out of range is refused naming the flag.
  void olderConfigsKeepTheFullWindow() {
    vwb::TrainConfig old = vwb::TrainConfig::fromJson(R"({"patch": 32})");
    QCOMPARE(old.validation.patches, 0);
    QCOMPARE(old.validation.every, 1);
    vwb::TrainConfig c;
    QCOMPARE(vwb::TrainConfig::fromJson(c.toJson()).validation.patches, -1);
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::TrainConfig::fromJson(R"({"val_every": 0})"));
    c.validation.patches = -2;
    QVERIFY(vwb::trainConfigRangeProblem(c).find("--val-patches") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestValidationShare)
#include "TestValidationShare.moc"
