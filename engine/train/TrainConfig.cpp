#include "engine/train/TrainConfig.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/TextFile.h"
#include "engine/model/ModelConfigJson.h"

namespace vwb {

const char* strategyName(StrategyKind s) {
  switch (s) {
    case StrategyKind::Auto: return "auto";
    case StrategyKind::Single: return "single";
    case StrategyKind::DataParallel: return "dp";
    case StrategyKind::Ddp: return "ddp";
  }
  return "?";
}

StrategyKind parseStrategy(const std::string& s) {
  if (s == "auto") return StrategyKind::Auto;
  if (s == "single") return StrategyKind::Single;
  if (s == "dp") return StrategyKind::DataParallel;
  if (s == "ddp") return StrategyKind::Ddp;
  throw Error("unknown strategy '" + s + "' (expected auto, single, dp or ddp)");
}

const char* optimizerName(OptimizerKind o) { return o == OptimizerKind::Sgd ? "sgd" : "adamw"; }

OptimizerKind parseOptimizer(const std::string& s) {
  if (s == "adamw") return OptimizerKind::AdamW;
  if (s == "sgd") return OptimizerKind::Sgd;
  throw Error("unknown optimizer '" + s + "' (expected adamw or sgd)");
}

namespace {

// One numeric setting: its config key, its flag, its range and where it lives in the config.
struct NumberRange {
  const char* key;
  const char* flag;
  double min, max;
  bool integer;
  double (*get)(const TrainConfig&);
};

// Bounds are generous (no real run comes near them) but keep every product the trainer forms
// (patch^3 x batch x channels, steps x epochs) far inside 64 bits.
const std::vector<NumberRange>& numberRanges() {
  static const std::vector<NumberRange> ranges{
      {"patch", "--patch", 8, 1024, true, [](const TrainConfig& c) { return double(c.data.patch); }},
      {"batch_per_device", "--batch", 1, 4096, true, [](const TrainConfig& c) { return double(c.data.batchPerDevice); }},
      {"grad_accumulation", "--grad-accumulation", 1, 1024, true,
       [](const TrainConfig& c) { return double(c.optimizer.gradAccumulation); }},
      {"epochs", "--epochs", 1, 1e6, true, [](const TrainConfig& c) { return double(c.run.epochs); }},
      {"steps_per_epoch", "--steps-per-epoch", 1, 1e8, true, [](const TrainConfig& c) { return double(c.run.stepsPerEpoch); }},
      {"lr", "--lr", 1e-12, 10, false, [](const TrainConfig& c) { return c.optimizer.lr; }},
      {"weight_decay", "(config file)", 0, 10, false, [](const TrainConfig& c) { return c.optimizer.weightDecay; }},
      {"warmup_fraction", "(config file)", 0, 1, false, [](const TrainConfig& c) { return c.optimizer.warmupFraction; }},
      {"grad_clip", "(config file)", 0, 1e6, false, [](const TrainConfig& c) { return c.optimizer.gradClip; }},
      {"foreground_fraction", "(config file)", 0, 1, false, [](const TrainConfig& c) { return c.data.foregroundFraction; }},
      {"skeleton_recall", "--skeleton-recall", 0, 100, false, [](const TrainConfig& c) { return c.optimizer.skeletonRecallWeight; }},
      {"ema", "--ema", 0, 0.999999, false, [](const TrainConfig& c) { return c.optimizer.emaDecay; }},
      {"workers", "--workers", 0, 256, true, [](const TrainConfig& c) { return double(c.data.workers); }},
      {"prefetch", "--prefetch", 1, 1024, true, [](const TrainConfig& c) { return double(c.data.prefetch); }},
      {"threads", "--threads", 0, 4096, true, [](const TrainConfig& c) { return double(c.run.threads); }},
      {"val_fraction", "--val-fraction", 0, 0.99, false, [](const TrainConfig& c) { return c.validation.fraction; }},
      {"val_crop", "--val-crop", 0, 4096, true, [](const TrainConfig& c) { return double(c.validation.crop); }},
      {"val_patches", "--val-patches", -1, 1e6, true, [](const TrainConfig& c) { return double(c.validation.patches); }},
      {"val_every", "--val-every", 1, 1e6, true, [](const TrainConfig& c) { return double(c.validation.every); }},
      // The rendezvous store serves at most 256 processes (StoreLimits::maxNodes).
      {"nnodes", "--nnodes", 1, 256, true, [](const TrainConfig& c) { return double(c.distributed.nnodes); }},
      {"node_rank", "--node-rank", 0, 255, true, [](const TrainConfig& c) { return double(c.distributed.nodeRank); }},
      {"timeout_sec", "--timeout", 1, 3600, true, [](const TrainConfig& c) { return double(c.distributed.timeoutSec); }},
      {"bucket_mb", "--bucket-mb", 0.001, 4096, false, [](const TrainConfig& c) { return c.distributed.bucketMb; }},
      {"memory_cap_bytes", "(config file)", 0, 1125899906842624.0, true,
       [](const TrainConfig& c) { return double(c.data.memoryCapBytes); }},
      {"chunk_cache_mb", "--chunk-cache-mb", 0, 16777216, true, [](const TrainConfig& c) { return double(c.data.chunkCacheMb); }},
      {"val_max_volumes", "--val-max-volumes", 0, 1e6, true, [](const TrainConfig& c) { return double(c.validation.maxVolumes); }},
      {"previews_kept", "--previews-kept", 0, 10000, true, [](const TrainConfig& c) { return double(c.validation.previewsKept); }},
  };
  return ranges;
}

std::string number(double v) {
  std::ostringstream s;
  s << std::setprecision(15) << v;
  return s.str();
}

std::string outOfRange(const NumberRange& r, const std::string& value) {
  return (r.flag == std::string("(config file)") ? std::string("config") : std::string(r.flag) + " /") + " \"" + r.key + "\" " + value + " is outside its range [" + number(r.min) + ", " +
         number(r.max) + "]";
}

// Config files: every ranged key that is present must be a number inside its range, as JSON holds it.
void checkJsonNumbers(const nlohmann::json& j) {
  for (const auto& r : numberRanges()) {
    if (!j.contains(r.key)) continue;
    const auto& v = j.at(r.key);
    if (!v.is_number()) throw Error(std::string("\"") + r.key + "\" is " + v.dump() + ", not a number");
    const double d = v.get<double>();
    if (!(d >= r.min && d <= r.max)) throw Error(outOfRange(r, v.dump()));
    if (r.integer && d != std::floor(d)) throw Error(std::string("\"") + r.key + "\" is " + v.dump() + ", not a whole number");
  }
}

}  // namespace

std::string trainConfigRangeProblem(const TrainConfig& c) {
  for (const auto& r : numberRanges()) {
    const double v = r.get(c);
    if (!(v >= r.min && v <= r.max)) return outOfRange(r, number(v));
  }
  return {};
}

std::string TrainConfig::toJson() const {
  nlohmann::json j{
      {"format", kConfigFormat},
      {"data_dir", run.dataDir},
      {"run_dir", run.dir},
      {"model", modelConfigToJson(model)},
      {"patch", data.patch},
      {"batch_per_device", data.batchPerDevice},
      {"grad_accumulation", optimizer.gradAccumulation},
      {"epochs", run.epochs},
      {"steps_per_epoch", run.stepsPerEpoch},
      {"lr", optimizer.lr},
      {"weight_decay", optimizer.weightDecay},
      {"warmup_fraction", optimizer.warmupFraction},
      {"grad_clip", optimizer.gradClip},
      {"foreground_fraction", data.foregroundFraction},
      {"augment", augmentPresetName(data.augment)},
      {"amp", ampName(run.amp)},
      {"skeleton_recall", optimizer.skeletonRecallWeight},
      {"ema", optimizer.emaDecay},
      {"optimizer", optimizerName(optimizer.kind)},
      {"workers", data.workers},
      {"prefetch", data.prefetch},
      {"threads", run.threads},
      {"val_fraction", validation.fraction},
      {"val_crop", validation.crop},
      {"val_patches", validation.patches},
      {"val_every", validation.every},
      {"seed", run.seed},
      {"strategy", strategyName(distributed.strategy)},
      {"devices", distributed.devices},
      {"nnodes", distributed.nnodes},
      {"node_rank", distributed.nodeRank},
      {"master", distributed.master},
      {"bind", distributed.bind},
      {"timeout_sec", distributed.timeoutSec},
      {"bucket_mb", distributed.bucketMb},
      {"memory_cap_bytes", data.memoryCapBytes},
      {"cache_dir", data.cacheDir},
      {"chunk_cache_mb", data.chunkCacheMb},
      {"val_max_volumes", validation.maxVolumes},
      {"previews_kept", validation.previewsKept},
      {"resume", run.resume},
  };
  return j.dump(2);
}

TrainConfig TrainConfig::fromJson(const std::string& text) {
  TrainConfig c;
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) throw Error("expected a JSON object");
    if (j.contains("format") && !(j["format"].is_string() && j["format"].get<std::string>() == kConfigFormat))
      throw Error("format " + j["format"].dump() + ": this build reads " + kConfigFormat);
    checkJsonNumbers(j);
    c.run.dataDir = j.value("data_dir", c.run.dataDir);
    c.run.dir = j.value("run_dir", c.run.dir);
    if (j.contains("model")) c.model = modelConfigFromJson(j.at("model"));
    c.data.patch = j.value("patch", c.data.patch);
    c.data.batchPerDevice = j.value("batch_per_device", c.data.batchPerDevice);
    c.optimizer.gradAccumulation = j.value("grad_accumulation", c.optimizer.gradAccumulation);
    c.run.epochs = j.value("epochs", c.run.epochs);
    c.run.stepsPerEpoch = j.value("steps_per_epoch", c.run.stepsPerEpoch);
    c.optimizer.lr = j.value("lr", c.optimizer.lr);
    c.optimizer.weightDecay = j.value("weight_decay", c.optimizer.weightDecay);
    c.optimizer.warmupFraction = j.value("warmup_fraction", c.optimizer.warmupFraction);
    c.optimizer.gradClip = j.value("grad_clip", c.optimizer.gradClip);
    c.data.foregroundFraction = j.value("foreground_fraction", c.data.foregroundFraction);
    // Written before the presets existed: those runs trained with the light recipe, and a resume
    // must keep it (not today's default).
    c.data.augment = parseAugmentPreset(j.value("augment", std::string(augmentPresetName(AugmentPreset::Light))));
    c.run.amp = parseAmp(j.value("amp", std::string(ampName(c.run.amp))));
    c.optimizer.skeletonRecallWeight = j.value("skeleton_recall", c.optimizer.skeletonRecallWeight);
    c.optimizer.emaDecay = j.value("ema", c.optimizer.emaDecay);
    c.optimizer.kind = parseOptimizer(j.value("optimizer", std::string(optimizerName(c.optimizer.kind))));
    c.data.workers = j.value("workers", c.data.workers);
    c.data.prefetch = j.value("prefetch", c.data.prefetch);
    c.run.threads = j.value("threads", c.run.threads);
    c.validation.fraction = j.value("val_fraction", c.validation.fraction);
    c.validation.crop = j.value("val_crop", c.validation.crop);
    c.validation.patches = j.value("val_patches", 0);  // older runs: the full sliding window they had
    c.validation.every = j.value("val_every", c.validation.every);
    c.run.seed = j.value("seed", c.run.seed);
    c.distributed.strategy = parseStrategy(j.value("strategy", std::string(strategyName(c.distributed.strategy))));
    c.distributed.devices = j.value("devices", c.distributed.devices);
    c.distributed.nnodes = j.value("nnodes", c.distributed.nnodes);
    c.distributed.nodeRank = j.value("node_rank", c.distributed.nodeRank);
    c.distributed.master = j.value("master", c.distributed.master);
    c.distributed.bind = j.value("bind", c.distributed.bind);
    c.distributed.timeoutSec = j.value("timeout_sec", c.distributed.timeoutSec);
    c.distributed.bucketMb = j.value("bucket_mb", c.distributed.bucketMb);
    c.data.memoryCapBytes = j.value("memory_cap_bytes", c.data.memoryCapBytes);
    c.data.cacheDir = j.value("cache_dir", c.data.cacheDir);
    c.data.chunkCacheMb = j.value("chunk_cache_mb", c.data.chunkCacheMb);
    c.validation.maxVolumes = j.value("val_max_volumes", c.validation.maxVolumes);
    c.validation.previewsKept = j.value("previews_kept", c.validation.previewsKept);
    c.run.resume = j.value("resume", c.run.resume);
  } catch (const Error& e) {
    throw Error(std::string("training config: ") + e.what());
  } catch (const std::exception& e) {
    throw Error(std::string("training config: ") + e.what());
  }
  return c;
}

TrainConfig readTrainConfigFile(const std::string& path) {
  const std::string text = readWholeFile(path, "the training config");
  try {
    return TrainConfig::fromJson(text);
  } catch (const Error& e) {
    throw fileError(path, e.what());
  }
}

}  // namespace vwb
