// The training engine end to end on small in-memory volumes: loss with the ignore label, learning,
// exact resume, out-of-memory fallback, crash-safe checkpoints, run directory contents.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <set>
#include <mutex>
#include <nlohmann/json.hpp>

#include "SheetVolumes.h"
#include "TestSupport.h"
#include "TrainRecords.h"
#include "TinyConfig.h"
#include "TrainChecks.h"
#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/train/MetricsJsonl.h"
#include "engine/trainer/LoopState.h"
#include "engine/trainer/Trainer.h"
#include "engine/train/ValidationPreview.h"

namespace {

using vwbtest::RecordingSink;

vwb::TrainConfig smallConfig(const QString& runDir) { return vwbtest::tinyTrainConfig(runDir.toStdString()); }

using vwbtest::readJsonLines;

std::string checkpoint(const vwb::TrainConfig& c, const char* name) {
  return c.run.dir + "/checkpoints/" + name;
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void lossExcludesIgnoredVoxelsWithHandCheckedValues() {
    // Sample 0: logits 0 (p = 0.5) on labels {1, 0, 2, 2}: BCE = ln 2 on the two valid voxels;
    // soft Dice = 1 - (2*0.5 + 1) / (1.0 + 1 + 1) = 1/3.
    // Sample 1: logits {2, -2, 9, -9} on {1, 1, 0, 2}; p = sigmoid.
    std::vector<float> logits{0, 0, 0, 0, 2, -2, 9, -9};
    std::vector<uint8_t> labels{1, 0, 2, 2, 1, 1, 0, 2};
    auto loss = trainchecks::perSampleLoss(logits, labels, 2);
    QCOMPARE(loss.size(), size_t(2));
    // The loss is float32 (rounding 6e-8 relative) of terms of size ~1 summed over 4 voxels:
    // |error| < 10 ulp of 1.03 = 1.2e-6 on any CPU; no oneDNN kernel is involved (elementwise).
    QVERIFY(std::abs(loss[0] - (std::log(2.0) + 1.0 / 3.0)) < 1e-6);
    auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
    double p0 = sig(2), p1 = sig(-2), p2 = sig(9);
    double bce = (-std::log(p0) - std::log(p1) - std::log(1 - p2)) / 3;
    double dice = 1 - (2 * (p0 + p1) + 1) / ((p0 + p1 + p2) + 2 + 1);
    // float32 log/sigmoid of logits up to 9 (log(1 - p2) = -9.0001 carries the largest
    // relative rounding, 6e-8 x 9 per term) against double: a few 1e-6 at most.
    QVERIFY2(std::abs(loss[1] - (bce + dice)) < 1e-5, qPrintable(QString::number(loss[1])));
    // Whatever the network says on ignored voxels does not matter.
    std::vector<float> changed = logits;
    changed[2] = 50, changed[3] = -50, changed[7] = 30;
    auto again = trainchecks::perSampleLoss(changed, labels, 2);
    // Ignored voxels are masked out, so the same float operations run: equal up to the
    // summation of a masked zero (exact in practice; 1e-7 < 1 ulp of the loss allows a reorder).
    QVERIFY(std::abs(again[0] - loss[0]) < 1e-7 && std::abs(again[1] - loss[1]) < 1e-7);
    // A sample with nothing valid contributes no BCE and a Dice of 1 - 1/(sum p + 1).
    auto allIgnored = trainchecks::perSampleLoss({0, 0}, {2, 2}, 1);
    QVERIFY(std::abs(allIgnored[0] - 0.0) < 1e-7);  // 1 - 1/(0 + 1) in float32: exactly 0 or 1 ulp
  }

  void learnsOnSyntheticSheets() {
    // Validation Dice of the untrained model (lr ~ 0) against the same run trained: it must rise
    // clearly. Budget: a few seconds on 2 cores.
    auto volumes = vwbtest::sheetVolumes(5, 32, 5);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = smallConfig(dir.path() + "/start");
    c.model.baseChannels = 8;
    c.validation.fraction = 0.4;
    c.run.epochs = 1;
    c.run.stepsPerEpoch = 1;
    c.optimizer.lr = 1e-12;
    vwb::CancelToken cancel;
    RecordingSink start;
    vwb::runTraining(c, volumes, start, cancel);
    QCOMPARE(start.epochs.size(), size_t(1));
    double before = *start.epochs[0].valDice;

    c.run.dir = (dir.path() + "/trained").toStdString();
    c.optimizer.lr = 3e-3;
    c.run.epochs = 3;
    c.run.stepsPerEpoch = 20;
    RecordingSink trained;
    auto end = vwb::runTraining(c, volumes, trained, cancel);
    QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Finished));
    QCOMPARE(trained.epochs.size(), size_t(3));
    double after = *trained.epochs.back().valDice;
    qInfo("validation Dice: untrained %.3f, after %d steps %.3f", before, 60, after);
    QVERIFY2(after > before + 0.25 && after > 0.6,
             qPrintable(QString("Dice %1 -> %2").arg(before).arg(after)));
    QVERIFY(trained.epochs.back().trainLoss < trained.epochs.front().trainLoss);
  }

  void runDirectoryHoldsConfigLogsMetricsAndCheckpoints() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = smallConfig(dir.path() + "/run");
    vwb::CancelToken cancel;
    RecordingSink sink;
    vwb::runTraining(c, volumes, sink, cancel);
    auto config = vwb::loadRunConfig(c.run.dir);
    // The settings as given, with what auto validation chose (the held-out 24^3 volume is 8 tiles
    // of 16^3: the full sliding window, ValidationPlan.h) written in place of -1.
    QCOMPARE(c.validation.patches, -1);
    c.validation.patches = 0;
    QCOMPARE(config.toJson(), c.toJson());
    QVERIFY(QFile::exists(QString::fromStdString(c.run.dir + "/validation/last.json")));
    auto lines = readJsonLines(c.run.dir + "/metrics.jsonl");
    int stepLines = 0, epochLines = 0;
    for (const auto& j : lines) {
      if (j["type"] == "step") {
        ++stepLines;
        QVERIFY(j.contains("loss") && j.contains("lr") && j.contains("samples_per_s"));
        QVERIFY(j["memory"][0]["allocated"].get<int64_t>() > 0);
      }
      if (j["type"] == "epoch") {
        ++epochLines;
        QVERIFY(j.contains("val_dice") && j.contains("val_dice_ema"));
      }
    }
    QCOMPARE(stepLines, 10);
    QCOMPARE(epochLines, 2);
    std::ifstream log(c.run.dir + "/logs/training.log");
    std::string text((std::istreambuf_iterator<char>(log)), {});
    QVERIFY(text.find("epoch 2/2") != std::string::npos);
    auto info = vwb::readCheckpointInfo(checkpoint(c, "last.pt"));
    QCOMPARE(info.step, int64_t(10));
    QCOMPARE(info.epoch, int64_t(2));
    QCOMPARE(info.patch, int64_t(16));
    QVERIFY(info.normalization.std > 0);
    QVERIFY(QFile::exists(QString::fromStdString(checkpoint(c, "best.pt"))));
    bool eval = false;
    QCOMPARE(trainchecks::predictorOutputShape(checkpoint(c, "best.pt"), &eval),
             std::string("1x1x16x16x16"));
    QVERIFY(eval);
    // A second run into the same folder without --resume is refused.
    RecordingSink again;
    QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::runTraining(c, volumes, again, cancel));
  }

  void resumedRunEqualsUninterruptedRun() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig straight = smallConfig(dir.path() + "/straight");
    vwb::CancelToken never;
    RecordingSink s0;
    vwb::runTraining(straight, volumes, s0, never);

    // Interrupted mid-epoch (step 3) and on an epoch's last step (5), resumed each time.
    vwb::TrainConfig c = smallConfig(dir.path() + "/interrupted");
    for (int64_t stopAt : {3, 5}) {
      vwb::CancelToken cancel;
      RecordingSink sink(&cancel, stopAt);
      auto end = vwb::runTraining(c, volumes, sink, cancel);
      QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Stopped));
      QCOMPARE(vwb::readCheckpointInfo(checkpoint(c, "last.pt")).step, stopAt);
      c.run.resume = true;
    }
    RecordingSink last;
    auto end = vwb::runTraining(c, volumes, last, never);
    QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Finished));
    QCOMPARE(last.steps.front().step, int64_t(6));
    QCOMPARE(vwb::readCheckpointInfo(checkpoint(c, "last.pt")).step, int64_t(10));
    double diff = trainchecks::maxWeightDifference(checkpoint(straight, "last.pt"),
                                                   checkpoint(c, "last.pt"));
    QCOMPARE(diff, 0.0);
    QCOMPARE(last.steps.back().loss, s0.steps.back().loss);
    QCOMPARE(*last.epochs.back().valDice, *s0.epochs.back().valDice);

    // Extending a finished run with more epochs continues from its last step.
    c.run.epochs = 3;
    RecordingSink more;
    vwb::runTraining(c, volumes, more, never);
    QCOMPARE(more.steps.front().step, int64_t(11));
    QCOMPARE(vwb::readCheckpointInfo(checkpoint(c, "last.pt")).step, int64_t(15));
  }

  // The trainer writes metrics.jsonl through the engine's codec (MetricsJsonl.h): what it encodes
  // reads back through the same codec, key for key; an epoch line without validation has no
  // validation keys.
  void metricsLinesRoundTripThroughTheCodec() {
    vwb::StepEvent e;
    e.step = 7;
    e.epoch = 2;
    e.loss = 0.1 + 0.2;
    e.lr = 3e-4;
    e.dataWaitFraction = 0.125;
    e.commWaitFraction = 0.25;
    e.stepSpread = 0.0625;
    e.secondsPerStep = 1.5;
    e.samplesPerSec = 99;  // the moving average: not what the line records
    e.memory = {{"cpu:1", 1 << 20, 2 << 20, 3 << 20, 4 << 20, 5 << 20, 0.5}};
    const std::string step = vwb::encodeStepLine(e, {1765000000.25, 2.5, true, 2, 6.75});
    const nlohmann::json j = nlohmann::json::parse(step);
    QCOMPARE(j.at("grad_norm").get<double>(), 2.5);
    QCOMPARE(j.at("skipped").get<bool>(), true);
    QCOMPARE(j.at("micro_batch").get<int>(), 2);
    QCOMPARE(j.at("time").get<double>(), 1765000000.25);
    vwb::MetricsRecord record;
    std::string problem;
    QCOMPARE(int(vwb::parseMetricsLine(step, record, problem)), int(vwb::MetricsLine::Record));
    const auto& s = std::get<vwb::StepEvent>(record);
    QCOMPARE(s.step, e.step);
    QCOMPARE(s.epoch, e.epoch);
    QCOMPARE(s.loss, e.loss);
    QCOMPARE(s.lr, e.lr);
    QCOMPARE(s.samplesPerSec, 6.75);
    QCOMPARE(s.dataWaitFraction, e.dataWaitFraction);
    QCOMPARE(s.commWaitFraction, e.commWaitFraction);
    QCOMPARE(s.stepSpread, e.stepSpread);
    QCOMPARE(s.secondsPerStep, e.secondsPerStep);
    QCOMPARE(s.memory.size(), size_t(1));
    QCOMPARE(s.memory[0].device, std::string("cpu:1"));
    QCOMPARE(s.memory[0].peakBytes, int64_t(3 << 20));
    QCOMPARE(s.memory[0].busy, 0.5);

    vwb::EpochEvent ep;
    ep.epoch = 2;
    ep.trainLoss = 0.5;
    ep.valLoss = 0.75;
    ep.valDice = 0.375;
    ep.valDiceEma = 0.3;
    ep.best = true;
    ep.epochSec = 12.5;
    ep.previewVolume = "vol-a";
    ep.previewZ = 11;
    vwb::EpochLineExtras x;
    x.step = 20;
    x.time = 1765000100.5;
    x.preview = "previews/epoch-0002.tif";
    x.valKind = "full";
    x.valSeconds = 3.25;
    const std::string epoch = vwb::encodeEpochLine(ep, x);
    QCOMPARE(nlohmann::json::parse(epoch).at("val_kind").get<std::string>(), std::string("full"));
    QCOMPARE(int(vwb::parseMetricsLine(epoch, record, problem)), int(vwb::MetricsLine::Record));
    const auto& b = std::get<vwb::EpochEvent>(record);
    QCOMPARE(b.epoch, ep.epoch);
    QCOMPARE(b.trainLoss, ep.trainLoss);
    QCOMPARE(*b.valLoss, *ep.valLoss);
    QCOMPARE(*b.valDice, *ep.valDice);
    QCOMPARE(b.valDiceEma, ep.valDiceEma);
    QCOMPARE(b.best, true);
    QCOMPARE(b.epochSec, ep.epochSec);
    QCOMPARE(b.previewPath, x.preview);
    QCOMPARE(b.previewVolume, ep.previewVolume);
    QCOMPARE(b.previewZ, ep.previewZ);

    vwb::EpochEvent plain;
    plain.epoch = 1;
    const nlohmann::json p = nlohmann::json::parse(vwb::encodeEpochLine(plain, {}));
    for (const char* key : {"val_loss", "val_dice", "val_dice_ema", "val_kind", "val_s", "preview"})
      QVERIFY2(!p.contains(key), key);
  }

  // The loop's state in last.pt has one codec (LoopState.h), the same for every strategy: it
  // round-trips exactly, a checkpoint of an older build without best_epoch/global_batch/strategy
  // still loads, and a missing or mistyped key is refused naming the key.
  void loopStateCodec() {
    vwb::LoopState s;
    s.epochsDone = 3;
    s.epochLossSum = 0.1 + 0.2;  // not exactly representable: must come back bit-identical
    s.epochLossCount = 7;
    s.hasEma = true;
    s.valDiceEma = 1.0 / 3.0;
    s.bestValDiceEma = 2.0 / 3.0;
    s.bestEpoch = 2;
    s.globalBatch = 8;
    s.strategy = "dp";
    const nlohmann::json j = nlohmann::json::parse(vwb::loopStateToJson(s).dump());
    const vwb::LoopState back = vwb::loopStateFromJson(j, 42);
    QCOMPARE(back.step, int64_t(42));
    QCOMPARE(back.epochsDone, s.epochsDone);
    QCOMPARE(back.epochLossSum, s.epochLossSum);
    QCOMPARE(back.epochLossCount, s.epochLossCount);
    QCOMPARE(back.hasEma, s.hasEma);
    QCOMPARE(back.valDiceEma, s.valDiceEma);
    QCOMPARE(back.bestValDiceEma, s.bestValDiceEma);
    QCOMPARE(back.bestEpoch, s.bestEpoch);
    QCOMPARE(back.globalBatch, s.globalBatch);
    QCOMPARE(back.strategy, s.strategy);

    nlohmann::json older = j;
    for (const char* key : {"best_epoch", "global_batch", "strategy"}) older.erase(key);
    const vwb::LoopState old = vwb::loopStateFromJson(older, 5);
    QCOMPARE(old.bestEpoch, int64_t(0));
    QCOMPARE(old.epochsDone, int64_t(3));

    nlohmann::json missing = j;
    missing.erase("epoch_loss_count");
    try {
      vwb::loopStateFromJson(missing, 5);
      QFAIL("a loop state without epoch_loss_count was accepted");
    } catch (const vwb::Error& e) {
      QVERIFY2(std::string(e.what()).find("epoch_loss_count") != std::string::npos, e.what());
    }
    nlohmann::json mistyped = j;
    mistyped["has_ema"] = "yes";
    try {
      vwb::loopStateFromJson(mistyped, 5);
      QFAIL("a loop state with a string has_ema was accepted");
    } catch (const vwb::Error& e) {
      QVERIFY2(std::string(e.what()).find("has_ema") != std::string::npos, e.what());
    }
  }

  // An out-of-memory at the first step (the loop's fault hook throws what a CUDA OOM throws)
  // halves the micro-batch and keeps the global batch by accumulation. The reference asks for
  // exactly that arithmetic (batch 2 x accumulation 2: the same 4 samples per step, summed in
  // micro-batches of 2 in the same order), so both runs end bit-identical on any CPU; only the
  // dropped attempt differs, and it must leave no trace (no optimizer step, no stale gradient).
  void outOfMemoryHalvesMicroBatchAndKeepsGlobalBatch() {
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = smallConfig(dir.path() + "/reference");
    c.data.batchPerDevice = 2;
    c.optimizer.gradAccumulation = 2;
    c.validation.fraction = 0;
    vwb::CancelToken never;
    RecordingSink reference;
    vwb::runTraining(c, volumes, reference, never);

    c.run.dir = (dir.path() + "/oom").toStdString();
    c.data.batchPerDevice = 4;
    c.optimizer.gradAccumulation = 1;
    qputenv("VWB_FAULT_OOM_AT_STEP", "1");
    RecordingSink oom;
    auto end = vwb::runTraining(c, volumes, oom, never);
    qunsetenv("VWB_FAULT_OOM_AT_STEP");
    QCOMPARE(int(end.outcome), int(vwb::RunOutcome::Finished));
    QVERIFY2(oom.logs.find("micro-batch 4 -> 2") != std::string::npos, oom.logs.c_str());
    auto lines = readJsonLines(c.run.dir + "/metrics.jsonl");
    int steps = 0;
    for (const auto& j : lines)
      if (j["type"] == "step") {
        ++steps;
        QCOMPARE(j["micro_batch"].get<int>(), 2);
      }
    QCOMPARE(steps, 10);
    QCOMPARE(oom.steps.size(), reference.steps.size());
    for (size_t i = 0; i < oom.steps.size(); ++i) QCOMPARE(oom.steps[i].loss, reference.steps[i].loss);
    QCOMPARE(trainchecks::maxWeightDifference(c.run.dir + "/checkpoints/last.pt",
                                              dir.path().toStdString() + "/reference/checkpoints/last.pt"),
             0.0);
  }

  // At each validation the trainer writes RUN/previews/epoch-NNNN.tif: the CT slice, the predicted
  // probability and the label slice of one validation volume, the same volume and slice every
  // epoch, named in the epoch event and in metrics.jsonl; the folder keeps the last N and the best.
  void writesAValidationPreviewAtEachValidation() {
    namespace fs = std::filesystem;
    auto volumes = vwbtest::sheetVolumes(3, 24, 3);
    auto dir = vwbtest::scratchDir();
    vwb::TrainConfig c = smallConfig(dir.path() + "/run");
    c.run.epochs = 6;
    c.run.stepsPerEpoch = 1;
    c.validation.previewsKept = 3;
    vwb::CancelToken cancel;
    RecordingSink sink;
    vwb::runTraining(c, volumes, sink, cancel);
    QCOMPARE(sink.epochs.size(), size_t(6));
    int64_t bestEpoch = 0;
    int epochLines = 0;
    for (const auto& j : readJsonLines(c.run.dir + "/metrics.jsonl")) {
      if (j["type"] != "epoch") continue;
      ++epochLines;
      const int64_t epoch = j["epoch"].get<int64_t>();
      QCOMPARE(j.value("preview", std::string()), vwb::previewRelativePath(epoch));
      QCOMPARE(j.value("preview_volume", std::string()), sink.epochs.front().previewVolume);
      if (j["best"].get<bool>()) bestEpoch = epoch;
    }
    QCOMPARE(epochLines, 6);
    const vwb::EpochEvent& first = sink.epochs.front();
    for (const vwb::EpochEvent& e : sink.epochs) {
      QCOMPARE(e.previewPath, c.run.dir + "/" + vwb::previewRelativePath(e.epoch));
      QCOMPARE(e.previewVolume, first.previewVolume);  // the same voxels every epoch
      QCOMPARE(e.previewZ, first.previewZ);
    }
    // The last preview's pages: the volume's CT and label slice exactly, probabilities from the model.
    const vwb::EpochEvent& last = sink.epochs.back();
    const vwb::ValidationPreview p = vwb::readValidationPreview(last.previewPath);
    const vwb::TrainingVolume* v = nullptr;
    for (const auto& candidate : volumes)
      if (candidate.id == last.previewVolume) v = &candidate;
    QVERIFY(v);
    QCOMPARE(p.height, int64_t(24));
    QCOMPARE(p.width, int64_t(24));
    QCOMPARE(last.previewZ, vwb::previewSlice(v->label.data.data(), 24, 24, 24));  // whole volume validated
    const auto plane = [&](const vwb::VolumeU8& vol) {
      const auto begin = vol.data.begin() + last.previewZ * 24 * 24;
      return std::vector<uint8_t>(begin, begin + 24 * 24);
    };
    QVERIFY(p.label == plane(v->label));
    QVERIFY(p.image == plane(v->image));
    QVERIFY(std::count(p.label.begin(), p.label.end(), uint8_t(1)) > 0);  // a slice through the foreground
    const auto [lo, hi] = std::minmax_element(p.probability.begin(), p.probability.end());
    QVERIFY2(*hi > *lo, "the probability page varies");
    // Bounded: the last 3 epochs and the best; nothing half-written.
    std::set<int64_t> kept, expected{4, 5, 6, bestEpoch};
    for (const auto& f : fs::directory_iterator(c.run.dir + "/previews")) {
      QVERIFY2(!vwb::isAtomicTempName(f.path().filename().string()), qPrintable(QString::fromStdString(f.path().string())));
      kept.insert(vwb::previewEpochOf(f.path().filename().string()));
    }
    QVERIFY(kept == expected);
    // previews_kept 0: none.
    c.run.dir = (dir.path() + "/none").toStdString();
    c.validation.previewsKept = 0;
    c.run.epochs = 1;
    RecordingSink none;
    vwb::runTraining(c, volumes, none, cancel);
    QVERIFY(none.epochs.at(0).previewPath.empty());
    QVERIFY(!fs::exists(c.run.dir + "/previews"));
  }

  void previewSliceAndPruning() {
    // Foreground: 1 voxel in slice 1, 3 in slice 3: the median foreground voxel lies in slice 3.
    std::vector<uint8_t> label(4 * 2 * 2, 0);
    label[1 * 4] = 1;
    label[3 * 4] = label[3 * 4 + 1] = label[3 * 4 + 2] = 1;
    label[0] = 2;
    QCOMPARE(vwb::previewSlice(label.data(), 4, 2, 2), int64_t(3));
    std::vector<uint8_t> empty(5 * 2 * 2, 2);
    QCOMPARE(vwb::previewSlice(empty.data(), 5, 2, 2), int64_t(2));  // no foreground: the middle
    QCOMPARE(vwb::previewEpochOf("epoch-0012.tif"), int64_t(12));
    QCOMPARE(vwb::previewEpochOf("epoch-0012.tif.tmp"), int64_t(-1));
    QCOMPARE(vwb::previewEpochOf("epoch-0012.tif.tmp-host-123-0"), int64_t(-1));
    QCOMPARE(vwb::previewEpochOf("epoch-.tif"), int64_t(-1));
    QCOMPARE(vwb::previewRelativePath(12345), std::string("previews/epoch-12345.tif"));

    auto dir = vwbtest::scratchDir();
    const std::string run = dir.path().toStdString();
    std::filesystem::create_directories(run + "/previews");
    for (int e = 1; e <= 60; ++e) std::ofstream(run + "/" + vwb::previewRelativePath(e)) << "x";
    std::ofstream(run + "/previews/notes.txt") << "not a preview";
    QCOMPARE(vwb::prunePreviews(run, 50, 3), 9);  // 1..10 go but the best (3)
    std::set<int64_t> kept;
    for (const auto& f : std::filesystem::directory_iterator(run + "/previews"))
      kept.insert(vwb::previewEpochOf(f.path().filename().string()));
    QCOMPARE(int(kept.size()), 52);  // 11..60, 3, and -1 for notes.txt
    QVERIFY(kept.count(3) && kept.count(11) && kept.count(60) && !kept.count(10) && kept.count(-1));
  }

  void crashWhileWritingCheckpointKeepsLastGood() {
    // A child process trains and dies half-way through writing its second last.pt (after
    // fsync of half the temp file, before the rename): last.pt must be the intact first one.
    auto dir = vwbtest::scratchDir();
    QString run = dir.path() + "/run";
    QProcess child;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("VWB_FAULT_CRASH_IN_WRITE", "last.pt");
    env.insert("VWB_FAULT_CRASH_AT", "2");
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {"--train-child", run});
    QVERIFY2(child.waitForFinished(vwbtest::kLastResortMs), qPrintable(child.errorString()));
    QCOMPARE(child.exitCode(), vwb::kCrashInWriteExitCode);
    const QStringList half = QDir(run + "/checkpoints").entryList({"last.pt.tmp-*"}, QDir::Files);
    QCOMPARE(half.size(), 1);  // the crashed write's temp file (engine/core/AtomicFile.h's name)
    auto info = vwb::readCheckpointInfo((run + "/checkpoints/last.pt").toStdString());
    QCOMPARE(info.epoch, int64_t(1));
    QVERIFY_THROWS_EXCEPTION(vwb::Error,
                             vwb::readCheckpointInfo((run + "/checkpoints/" + half[0]).toStdString()));

    // kill -9 at arbitrary moments of a run that writes a checkpoint every step: once last.pt
    // exists, wait a little longer (different each round) and kill; last.pt must always load.
    QString killed = dir.path() + "/killed";
    QString last = killed + "/checkpoints/last.pt";
    for (int extraMs : {0, 170, 330, 520}) {
      QProcess p;
      p.start(QCoreApplication::applicationFilePath(), {"--train-child", killed, "--every-step"});
      QVERIFY(p.waitForStarted());
      QElapsedTimer waited;
      waited.start();
      while (!QFile::exists(last) && waited.elapsed() < vwbtest::kLastResortMs) QTest::qWait(20);
      QVERIFY(QFile::exists(last));
      QTest::qWait(extraMs);
      p.kill();  // SIGKILL
      p.waitForFinished();
      vwb::readCheckpointInfo(last.toStdString());  // throws if corrupt
      // Every preview a killed run leaves reads whole (temp file + rename; stale temps go on resume).
      for (const auto& f : std::filesystem::directory_iterator((killed + "/previews").toStdString()))
        if (vwb::previewEpochOf(f.path().filename().string()) >= 0)
          QCOMPARE(vwb::readValidationPreview(f.path().string()).label.size(), size_t(24 * 24));
    }
    QVERIFY(vwb::readCheckpointInfo(last.toStdString()).step >= 1);
  }
};

// `--train-child DIR [--every-step]`: a training run for the crash tests, in its own process.
static int trainChild(const std::string& runDir, bool everyStep) {
  auto volumes = vwbtest::sheetVolumes(3, 24, 3);
  vwb::TrainConfig c = smallConfig(QString::fromStdString(runDir));
  c.run.resume = std::ifstream(runDir + "/checkpoints/last.pt").good();
  if (everyStep) {
    c.run.stepsPerEpoch = 1;
    c.run.epochs = 1000;
  }
  vwb::CancelToken cancel;
  RecordingSink sink;
  vwb::runTraining(c, volumes, sink, cancel);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--train-child")
    return trainChild(argv[2], argc >= 4 && std::string(argv[3]) == "--every-step");
  QCoreApplication app(argc, argv);  // applicationFilePath() for the child processes
  TestTrainer test;
  return QTest::qExec(&test, argc, argv);
}

#include "TestTrainer.moc"
