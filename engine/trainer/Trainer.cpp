#include "engine/trainer/Trainer.h"


#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include <fmt/format.h>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/core/TextFile.h"
#include "engine/core/HeapReuse.h"
#include "engine/model/ModelConfigJson.h"
#include "engine/model/torch/ModelCheckpoint.h"
#include "engine/run/RunFolder.h"
#include "engine/train/DataDigest.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/MetricsJsonl.h"
#include "engine/train/RunLock.h"
#include "engine/train/ValidationSplit.h"
#include "engine/train/torch/DeviceSupport.h"
#include "engine/trainer/detail/Strategies.h"
#include "engine/trainer/detail/TrainingRun.h"

namespace vwb {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
// Wall clock of a metrics line (seconds since 1970, UTC): plots against time, gaps of a resume.
double unixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Settings


// ---------------------------------------------------------------------------------------------
// The run

TrainingRun::TrainingRun(const TrainConfig& config, const TrainingSource& source,
                         TrainingSink& sink, const CancelToken& cancel)
    : config_(config), source_(source), sink_(sink), cancel_(cancel) {
  if (const char* oom = std::getenv("VWB_FAULT_OOM_AT_STEP")) simulatedOomStep_ = std::atoll(oom);
}

std::string TrainingRun::checkpointPath(const std::string& name) const {
  return RunFolder(config_.run.dir).checkpoint(name);
}

void TrainingRun::prepareData() {
  const auto& volumes = source_.volumes();
  if (volumes.empty()) throw Error("no labelled training volumes");
  std::vector<std::string> scrolls;
  for (const auto& v : volumes) scrolls.push_back(v.scrollId);
  ValidationSplit split = splitValidation(scrolls, config_.validation.fraction, config_.run.seed);
  log_->log(LogLevel::Info, split.reason);
  trainVolumes_ = split.train;
  valVolumes_ = split.validation;
  if (config_.distributed.nodeRank == 0) {  // node 0 owns the run folder's files
    std::vector<std::string> ids;
    for (const auto& v : source_.volumes()) ids.push_back(v.id);
    writeFileAtomically(RunFolder(config_.run.dir).split(), splitToJson(ids, split) + "\n");
  }
  // Validation stays a small share of an epoch at real scale: the first valMaxVolumes held out.
  if (config_.validation.maxVolumes > 0 && static_cast<int>(valVolumes_.size()) > config_.validation.maxVolumes) {
    log_->log(LogLevel::Info, "validating on " + std::to_string(config_.validation.maxVolumes) + " of the " +
                                  std::to_string(valVolumes_.size()) + " held-out volumes (val_max_volumes)");
    valVolumes_.resize(static_cast<size_t>(config_.validation.maxVolumes));
  }
  normalization_ = normalizationOf(source_, trainVolumes_);
  trainSampler_ = std::make_unique<PatchSampler>(source_, trainVolumes_, normalization_, config_.data.patch,
                                                 config_.data.foregroundFraction, augmentOptions(config_.data.augment));
}

void TrainingRun::resumeFromCheckpoint() {
  const std::string path = checkpointPath(RunFolder::kLastCheckpoint);
  // Node 0's last.pt is the run's state; other nodes receive it (their folder may not be shared).
  std::string bytes;
  if (config_.distributed.nodeRank == 0) {
    if (!fs::exists(path)) throw fileError(path, "cannot resume: the run has no checkpoint yet");
    bytes = readWholeFile(path);
  }
  bytes = strategy_->fromNodeZero(std::move(bytes), "sending node 0's checkpoint to every node");
  auto archive = openCheckpointData(bytes, config_.distributed.nodeRank == 0 ? path : "node 0's " + path,
                                    torch::kCPU);
  CheckpointInfo info = readInfo(archive, path);
  if (!info.checksummed)
    log_->log(LogLevel::Warning, path + ": has no content checksum (written by an older vwb); "
                                        "its integrity cannot be verified");
  if (modelConfigToJson(info.model) != modelConfigToJson(config_.model) ||
      info.patch != config_.data.patch)
    throw fileError(path, "cannot resume with a different model or patch size than the run's");
  normalization_ = info.normalization;  // exactly what the run started with
  trainSampler_ = std::make_unique<PatchSampler>(source_, trainVolumes_, normalization_, config_.data.patch,
                                                 config_.data.foregroundFraction, augmentOptions(config_.data.augment));
  readModelSection(archive, path, strategy_->model());
  strategy_->loadState(archive);
  if (ema_ && !ema_->load(archive)) {  // EMA switched on for the rest of the run
    ema_ = std::make_unique<WeightEma>(config_.optimizer.emaDecay, strategy_->model());
    log_->log(LogLevel::Info, "EMA of the weights starts from the resumed model");
  }
  const auto meta = nlohmann::json::parse(info.metaJson);
  try {
    state_ = loopStateFromJson(meta.value("trainer", nlohmann::json()), info.step);
  } catch (const std::exception& e) {
    throw fileError(path, std::string("cannot resume: ") + e.what());
  }
  // The data must be what the run trained on so far (DataDigest.h), unless the user says otherwise.
  if (!meta.contains("data")) {
    log_->log(LogLevel::Warning, path + ": records no data digest (written by an older vwb): whether the data "
                                        "changed since cannot be checked");
  } else if (const std::string change = describeDataChange(DataDigest::fromJson(meta.at("data").dump()),
                                                           digestData(source_));
             !change.empty()) {
    if (!config_.run.allowDataChange)
      throw fileError(path, "cannot resume: the training data changed since this checkpoint: " + change +
                                ". Resume with --allow-data-change to continue on the new data anyway, or "
                                "start a new run with another --out");
    log_->log(LogLevel::Warning, "resuming on changed training data (--allow-data-change): " + change);
  }
  log_->log(LogLevel::Info, "resumed from " + path + " at step " + std::to_string(state_.step));
  if (int dropped = log_->dropMetricsAfter(state_.step))
    log_->log(LogLevel::Info, "metrics.jsonl: dropped " + std::to_string(dropped) +
                                  " line(s) written after that checkpoint (those steps are redone)");
}

void TrainingRun::writeCheckpoint(bool alsoBest) {
  if (config_.distributed.nodeRank != 0) return;  // multi-node: only node 0 (global rank 0) writes (dist)
  CheckpointInfo info;
  info.model = config_.model;
  info.patch = config_.data.patch;
  info.normalization = normalization_;
  info.step = state_.step;
  info.epoch = state_.epochsDone;
  nlohmann::json extra;
  extra["config"] = nlohmann::json::parse(config_.toJson());
  extra["data"] = nlohmann::json::parse(digestData(source_).toJson());  // what a resume checks
  LoopState state = state_;
  state.globalBatch = globalBatch_;
  state.strategy = strategy_->name();
  extra["trainer"] = loopStateToJson(state);
  // last.pt: everything a resume needs. best.pt: the model alone (what predict loads; about a
  // third of the size without AdamW's two moment tensors per weight).
  auto serialize = [&](bool withState) {
    torch::serialize::OutputArchive archive;
    writeModelSection(archive, info, extra.dump(), strategy_->model());
    if (withState) strategy_->saveState(archive);
    if (withState && ema_) ema_->save(archive);
    return sealedCheckpointBytes(archive);  // + a checksum over everything, verified on load
  };
  writeFileAtomically(checkpointPath(RunFolder::kLastCheckpoint), serialize(true));
  sink_.onCheckpoint(checkpointPath(RunFolder::kLastCheckpoint));
  if (alsoBest) {
    writeFileAtomically(checkpointPath(RunFolder::kBestCheckpoint), serialize(false));
    sink_.onCheckpoint(checkpointPath(RunFolder::kBestCheckpoint));
  }
  if (ema_) {  // ema.pt: the averaged weights, loadable like best.pt
    std::string bytes;
    {
      EmaScope emaWeights(ema_.get(), strategy_->model());
      bytes = serialize(false);
    }
    writeFileAtomically(checkpointPath(RunFolder::kEmaCheckpoint), bytes);
    sink_.onCheckpoint(checkpointPath(RunFolder::kEmaCheckpoint));
  }
}

void TrainingRun::onRunStart() {
  RunStartEvent e;
  e.runDir = config_.run.dir;
  e.strategy = strategy_->name();
  e.devices = strategy_->devices();
  e.epochs = config_.run.epochs;
  e.stepsPerEpoch = config_.run.stepsPerEpoch;
  e.startStep = state_.step;
  e.startEpoch = state_.epochsDone;
  e.globalBatch = globalBatch_;
  e.configJson = config_.toJson();
  log_->log(LogLevel::Info,
            "training " + std::to_string(config_.run.epochs) + " epochs x " +
                std::to_string(config_.run.stepsPerEpoch) + " steps, global batch " +
                std::to_string(globalBatch_) + ", patch " + std::to_string(config_.data.patch) +
                ", " + strategy_->name() + " on " + strategy_->devices()[0] + ", " +
                strategy_->precisionName() + ", " + std::to_string(torch::get_num_threads()) +
                " threads, " + std::to_string(trainVolumes_.size()) + " train / " +
                std::to_string(valVolumes_.size()) + " validation volumes");
  sink_.onRunStart(e);
}

void TrainingRun::onEpochStart(int64_t epoch) {
  log_->log(LogLevel::Debug, "epoch " + std::to_string(epoch + 1) + " starts");
}

void TrainingRun::trainStep() {
  auto start = Clock::now();
  double waitBefore = pipeline_->waitSeconds();
  GlobalBatch current;
  if (nextBatch_.size() > 0 && nextBatch_.step == state_.step) {
    current = std::move(nextBatch_);  // handed to the strategy one step ago
  } else {
    auto batch = pipeline_->next();
    if (!batch) throw Error("internal: the batch pipeline ended early");
    current = withSkeletons(config_.optimizer, toGlobalBatch(std::move(batch)));
  }
  nextBatch_ = GlobalBatch{};
  // On a GPU the next step's batch goes to the strategy now: its host-to-device copy runs on a
  // side stream while this step computes (TrainStrategy::prefetch, BatchStaging.h).
  if (strategy_->overlapsCopies() && state_.step + 1 < totalSteps_) {
    if (auto next = pipeline_->next()) {
      nextBatch_ = withSkeletons(config_.optimizer, toGlobalBatch(std::move(next)));
      strategy_->prefetch(nextBatch_);
    }
  }
  double wait = pipeline_->waitSeconds() - waitBefore;
  const double lr = scheduledLearningRate(config_.optimizer, state_.step, totalSteps_);
  StepResult r = strategy_->step(current, lr);
  if (ema_) ema_->update(strategy_->model());
  double seconds = secondsSince(start);
  runSeconds_ += seconds;
  ++state_.step;
  if (!r.skipped) {
    state_.epochLossSum += r.loss;
    ++state_.epochLossCount;
  } else if (strategy_->precisionName() != std::string("fp16")) {  // fp16: the loss scale was too high
    log_->log(LogLevel::Warning, fmt::format("step {}: non-finite loss or gradients, update skipped", state_.step));
  }
  double sps = static_cast<double>(globalBatch_) / std::max(seconds, 1e-9);
  samplesPerSecEma_ = samplesPerSecEma_ == 0 ? sps : 0.9 * samplesPerSecEma_ + 0.1 * sps;

  StepEvent e;
  // Where the step's time went: waiting for data, compute, waiting for gradient communication.
  e.secondsPerStep = seconds;
  e.commWaitFraction = std::min(1.0, r.commSeconds / std::max(seconds, 1e-9));
  if (r.deviceSeconds.size() > 1) {
    const auto [lo, hi] = std::minmax_element(r.deviceSeconds.begin(), r.deviceSeconds.end());
    e.stepSpread = *hi > 0 ? (*hi - *lo) / *hi : 0;
  }
  e.step = state_.step;
  e.epoch = (state_.step - 1) / config_.run.stepsPerEpoch + 1;
  e.stepInEpoch = (state_.step - 1) % config_.run.stepsPerEpoch + 1;
  e.stepsPerEpoch = config_.run.stepsPerEpoch;
  e.totalSteps = totalSteps_;
  e.loss = r.loss;
  e.lr = lr;
  e.samplesPerSec = samplesPerSecEma_;
  e.dataWaitFraction = wait / std::max(seconds, 1e-9);
  e.elapsedSec = runSeconds_;
  int64_t done = state_.step - startStep_;
  e.etaSec = runSeconds_ / static_cast<double>(done) * static_cast<double>(totalSteps_ - state_.step);
  e.memory = strategy_->memory();
  log_->metric(encodeStepLine(e, {unixSeconds(), r.gradNorm, r.skipped, r.microBatch, sps}));
  sink_.onStep(e);
  adviseOnWaits(e);
}

// A warning with the knob that helps, once per run each, when the last kWindow steps spent more
// than 10 % of their time waiting for data or more than 20 % waiting for gradient communication.
// The first steps of a run (or a resume) warm caches and kernels: they are left out.
void TrainingRun::adviseOnWaits(const StepEvent& e) {
  constexpr int64_t kWarmup = 3, kWindow = 20;
  if (e.step - startStep_ <= kWarmup) return;
  waitWindow_.push_back({e.dataWaitFraction, e.commWaitFraction});
  if (int64_t(waitWindow_.size()) > kWindow) waitWindow_.pop_front();
  if (int64_t(waitWindow_.size()) < std::min<int64_t>(kWindow, totalSteps_ - startStep_ - kWarmup)) return;
  double data = 0, comm = 0;
  for (const auto& [d, c] : waitWindow_) {
    data += d / double(waitWindow_.size());
    comm += c / double(waitWindow_.size());
  }
  if (data > 0.10 && !advisedData_) {
    advisedData_ = true;
    log_->log(LogLevel::Warning,
              fmt::format("data wait: {:.0f} % of each step over the last {} steps goes to waiting for "
                          "batches: more loader threads (--workers, now {}) or a deeper queue "
                          "(--prefetch, now {}); on a slow disk, a larger chunk cache (--chunk-cache-mb)",
                          100 * data, waitWindow_.size(), config_.data.workers, config_.data.prefetch));
  }
  if (comm > 0.20 && !advisedComm_) {
    advisedComm_ = true;
    log_->log(LogLevel::Warning,
              fmt::format("communication wait: {:.0f} % of each step over the last {} steps goes to "
                          "waiting for gradients to be exchanged: more work per exchange (a larger "
                          "--batch per device, now {}, or --grad-accumulation){}",
                          100 * comm, waitWindow_.size(), config_.data.batchPerDevice,
                          strategy_->name() == "ddp"
                              ? fmt::format("; smaller --bucket-mb (now {:g}) starts the exchange earlier in backward", config_.distributed.bucketMb)
                              : std::string("; ddp overlaps the exchange with backward, dp does not")));
  }
}

void TrainingRun::writePreview(EpochEvent& e, EpochLineExtras& line, const ValidationResult& validation) {
  const ValidationPreview& p = *validation.preview;
  const std::string relative = previewRelativePath(e.epoch);
  try {
    auto start = Clock::now();
    const int64_t bytes = writeValidationPreview(config_.run.dir, e.epoch, p);
    const int removed = prunePreviews(config_.run.dir, config_.validation.previewsKept, state_.bestEpoch);
    const double writeSeconds = secondsSince(start);
    e.previewPath = (fs::path(config_.run.dir) / relative).string();
    e.previewVolume = p.volumeId;
    e.previewZ = p.z;
    line.preview = relative;
    std::string text = "validation preview " + relative + ": volume " + p.volumeId + " slice " +
                       std::to_string(p.z) + ", " + std::to_string(bytes) + " bytes, " +
                       std::to_string(1e3 * validation.previewSeconds) + " ms taking it, " +
                       std::to_string(1e3 * writeSeconds) + " ms writing it";
    if (removed) text += ", " + std::to_string(removed) + " old one(s) removed";
    log_->log(LogLevel::Debug, text);
  } catch (const std::exception& ex) {
    log_->log(LogLevel::Warning, std::string("no validation preview this epoch: ") + ex.what());
  }
}

void TrainingRun::onEpochEnd(int64_t epoch, std::optional<ValidationResult> validation,
                             double seconds) {
  EpochEvent e;
  e.epoch = epoch + 1;
  e.epochs = config_.run.epochs;
  e.trainLoss = state_.epochLossCount ? state_.epochLossSum / state_.epochLossCount : 0.0;
  e.epochSec = seconds;
  bool best = false;
  if (validation) {
    e.valLoss = validation->loss;
    e.valDice = validation->dice;
    // Moving average: one lucky epoch does not make best.pt.
    state_.valDiceEma = state_.hasEma ? 0.7 * state_.valDiceEma + 0.3 * validation->dice
                                      : validation->dice;
    state_.hasEma = true;
    best = state_.valDiceEma > state_.bestValDiceEma;
    if (best) state_.bestValDiceEma = state_.valDiceEma;
  } else {
    best = !state_.hasEma;  // not validated (yet): best.pt is the latest model until it is
  }
  e.valDiceEma = state_.valDiceEma;
  e.best = best;
  if (best) state_.bestEpoch = e.epoch;
  state_.epochsDone = epoch + 1;
  state_.epochLossSum = 0;
  state_.epochLossCount = 0;
  EpochLineExtras j{state_.step, unixSeconds(), strategy_->memory(), {}, {}, 0};
  // Before the checkpoint: a kill in between reruns this epoch end, which rewrites the preview.
  if (validation && validation->preview) writePreview(e, j, *validation);
  writeCheckpoint(best);

  std::string line = "epoch " + std::to_string(e.epoch) + "/" + std::to_string(e.epochs) +
                     ": train loss " + std::to_string(e.trainLoss);
  if (validation) {
    j.valKind = validation->full ? "full" : "patches";
    j.valSeconds = validation->seconds;
    line += ", val loss " + std::to_string(validation->loss) + ", val Dice " +
            std::to_string(validation->dice) + " (avg " + std::to_string(state_.valDiceEma) + ")";
  }
  line += ", " + std::to_string(seconds) + " s, " + std::to_string(samplesPerSecEma_) +
          " samples/s" +
         (best ? (config_.distributed.nodeRank == 0 ? ", best.pt updated" : ", best so far (node 0 saves it)") : "");
  log_->metric(encodeEpochLine(e, j));
  log_->log(LogLevel::Info, line);
  sink_.onEpoch(e);
}

RunEndEvent TrainingRun::run() {
  checkTrainConfig(config_);
  fs::create_directories(RunFolder(config_.run.dir).checkpoints());
  RunLock lock(config_.run.dir, config_.distributed.nodeRank);  // this process owns the folder until we return
  log_ = std::make_unique<RunLog>(config_.run.dir, &sink_, config_.distributed.nodeRank);
  // Temp files of a process killed mid-write (kill -9, SIGXFSZ): nobody else can be writing them
  // (node R owns only its nodes/node-R/ of a folder it may share with node 0).
  std::vector<fs::path> ownDirs{fs::path(runConfigPath(config_.run.dir, config_.distributed.nodeRank)).parent_path()};
  if (config_.distributed.nodeRank == 0) ownDirs.push_back(checkpointPath(""));
  if (config_.distributed.nodeRank == 0) ownDirs.push_back(RunFolder(config_.run.dir).previews());
  for (const fs::path& dir : ownDirs)
    for (const std::string& name : removeStaleTempFiles(dir.string()))
      log_->log(LogLevel::Info, "removed the stale temporary file " + (dir / name).string());
  try {
    return runLocked();
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    log_->record(LogLevel::Error, std::string("the run ended with an error: ") + e.what());
    throw;
  }
}

RunEndEvent TrainingRun::runLocked() {
  if (!config_.run.resume && fs::exists(checkpointPath(RunFolder::kLastCheckpoint)))
    throw fileError(config_.run.dir, "already holds a training run: use --resume to continue it, "
                                    "or choose another --out");
  // The settings first: a run that fails while preparing its data or devices is still a run
  // (Recent runs says "failed"). Rewritten below once the strategy has resolved them.
  if (!config_.run.resume) writeFileAtomically(runConfigPath(config_.run.dir, config_.distributed.nodeRank), config_.toJson() + "\n");
  int threads = resolveThreads(config_.run.threads);
  torch::set_num_threads(threads);
  keepFreedMemoryForReuse();
  prepareData();

  strategy_ = makeStrategy(config_);
  // cuDNN tries its algorithms once per input shape and keeps the fastest: training's patch shape
  // never changes, so the search pays off from the second step on.
  for (const auto& d : config_.distributed.devices)
    if (d.rfind("cuda", 0) == 0) at::globalContext().setBenchmarkCuDNN(true);
  StrategyContext context;
  context.config = config_;
  context.log = log_.get();
  context.source = &source_;
  context.trainVolumes = &trainVolumes_;
  if (simulatedOomStep_ > 0)
    context.beforeMicroBatch = [this](int64_t step, int, int64_t microBatch) {
      if (step + 1 == simulatedOomStep_ && microBatch > 1 && !simulatedOomDone_.exchange(true)) {
        throwSimulatedOutOfMemory("step " + std::to_string(step + 1));
      }
    };
  strategy_->setup(context);
  if (config_.optimizer.emaDecay > 0) ema_ = std::make_unique<WeightEma>(config_.optimizer.emaDecay, strategy_->model());
  if (config_.run.resume) resumeFromCheckpoint();
  planValidation();  // before config.json: it records what auto chose
  // Node 0 owns the run folder's files; another node keeps its own settings (what its --resume
  // reads) under nodes/node-R/, so a folder shared by all nodes is never written twice.
  writeFileAtomically(runConfigPath(config_.run.dir, config_.distributed.nodeRank), config_.toJson() + "\n");

  globalBatch_ = static_cast<int64_t>(config_.data.batchPerDevice) *
                 static_cast<int64_t>(strategy_->devices().size()) * config_.optimizer.gradAccumulation;
  totalSteps_ = static_cast<int64_t>(config_.run.epochs) * config_.run.stepsPerEpoch;
  startStep_ = state_.step;
  BatchPipelineOptions po;
  po.batchSize = globalBatch_;
  po.workers = config_.data.workers;
  po.prefetch = config_.data.prefetch;
  po.seed = config_.run.seed;
  po.firstStep = state_.step;
  po.endStep = totalSteps_;
  pipeline_ = std::make_unique<BatchPipeline>(*trainSampler_, po);

  onRunStart();
  RunEndEvent end;
  auto epochStart = Clock::now();
  // Any error the loop can catch (a rank that timed out, a cache read error) first saves the
  // steps done since the last checkpoint: the run ends, but --resume loses nothing.
  try {
  for (;;) {
    // An epoch whose steps are done but whose end has not run (e.g. stopped during validation).
    if (state_.step > 0 && state_.step % config_.run.stepsPerEpoch == 0 &&
        state_.epochsDone < state_.step / config_.run.stepsPerEpoch) {
      int64_t epoch = state_.step / config_.run.stepsPerEpoch - 1;
      std::optional<ValidationResult> validation;
      if (!valVolumes_.empty() && validatesAfter(epoch)) {
        validation = validate();
        if (!validation) break;  // cancelled: last.pt below, the epoch end reruns on resume
      }
      onEpochEnd(epoch, validation, secondsSince(epochStart));
    }
    if (state_.step >= totalSteps_ || cancel_.cancelled()) break;
    if (state_.step % config_.run.stepsPerEpoch == 0) {
      epochStart = Clock::now();
      onEpochStart(state_.step / config_.run.stepsPerEpoch);
    }
    trainStep();
  }
  } catch (const std::exception& e) {
    pipeline_->stop();
    if (state_.step > startStep_ && config_.distributed.nodeRank == 0) {
      try {
        writeCheckpoint(false);
        log_->log(LogLevel::Info, "saved " + checkpointPath(RunFolder::kLastCheckpoint) + " at step " + std::to_string(state_.step) +
                                      " before ending on the error (continue with --resume)");
      } catch (const std::exception& saving) {
        log_->log(LogLevel::Warning, std::string("could not save a checkpoint before ending: ") + saving.what());
      }
    }
    throw;
  }
  pipeline_->stop();
  end.step = state_.step;
  end.epoch = state_.epochsDone;
  if (state_.step < totalSteps_ || state_.epochsDone * config_.run.stepsPerEpoch < state_.step) {
    writeCheckpoint(false);
    end.outcome = RunOutcome::Stopped;
    end.message = "stopped at step " + std::to_string(state_.step) + "; checkpoint " +
                  checkpointPath(RunFolder::kLastCheckpoint) + " (continue with --resume)";
  } else if (!validateAtEnd()) {
    end.outcome = RunOutcome::Stopped;
    end.message = "finished " + std::to_string(state_.step) + " steps; the full validation at the end was " +
                  "stopped (it runs again on --resume, or: vwb validate --run " + config_.run.dir + ")";
  } else {
    end.outcome = RunOutcome::Finished;
    end.message = "finished " + std::to_string(state_.step) + " steps; checkpoints in " +
                  RunFolder(config_.run.dir).checkpoints();
  }
  log_->log(LogLevel::Info, end.message);
  sink_.onRunEnd(end);
  return end;
}

// ---------------------------------------------------------------------------------------------
// Public entry points

RunEndEvent runTraining(const TrainConfig& config, const TrainingSource& source, TrainingSink& sink,
                        const CancelToken& cancel) {
  TrainingRun run(config, source, sink, cancel);
  return run.run();
}

RunEndEvent runTraining(const TrainConfig& config, const std::vector<TrainingVolume>& volumes,
                        TrainingSink& sink, const CancelToken& cancel) {
  MemoryTrainingSource source(volumes);
  return runTraining(config, source, sink, cancel);
}

RunEndEvent runTraining(const TrainConfig& config, TrainingSink& sink, const CancelToken& cancel) {
  std::unique_ptr<TrainingSource> source;
  try {
    source = openTrainingSource(config, sink, nullptr, &cancel);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    // A new run whose folder exists already (the workbench makes it to follow its log) and that
    // fails before its first step still leaves a folder that says what it was and why it ended
    // (its settings, the error in training.log): Recent runs lists it as failed, not as "not a
    // run". No folder is made for it (vwb train on a broken dataset writes nothing), and a folder
    // holding another run is left alone.
    std::error_code ec;
    if (!config.run.resume && config.distributed.nodeRank == 0 && !config.run.dir.empty() && fs::is_directory(config.run.dir, ec) &&
        !fs::exists(RunFolder(config.run.dir).lastCheckpoint(), ec) &&
        !fs::exists(runConfigPath(config.run.dir, 0), ec)) {
      try {
        writeFileAtomically(runConfigPath(config.run.dir, 0), config.toJson() + "\n");
        std::string what = e.what();  // one line: the log's last line is the run's end
        while (!what.empty() && what.back() == '\n') what.pop_back();
        for (char& c : what) if (c == '\n') c = ' ';
        RunLog(config.run.dir, nullptr, 0).record(LogLevel::Error, "the run ended with an error: " + what);
      } catch (const std::exception&) {
        // the folder cannot be written: the error itself is what the caller reports
      }
    }
    throw;
  }
  return runTraining(config, *source, sink, cancel);
}

std::string runConfigPath(const std::string& runDir, int nodeRank) {
  return RunFolder(runDir, nodeRank).config();
}

TrainConfig loadRunConfig(const std::string& runDir, int nodeRank) {
  std::string path = runConfigPath(runDir, nodeRank);
  // Another node in a folder that only node 0 wrote to (shared, or copied): node 0's settings;
  // the caller's --node-rank applies on top.
  if (nodeRank != 0 && !fs::exists(path)) path = runConfigPath(runDir, 0);
  return readTrainConfigFile(path);
}

}  // namespace vwb
