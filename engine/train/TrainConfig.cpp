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
      {"patch", "--patch", 8, 1024, true, [](const TrainConfig& c) { return double(c.patch); }},
      {"batch_per_device", "--batch", 1, 4096, true, [](const TrainConfig& c) { return double(c.batchPerDevice); }},
      {"grad_accumulation", "--grad-accumulation", 1, 1024, true,
       [](const TrainConfig& c) { return double(c.gradAccumulation); }},
      {"epochs", "--epochs", 1, 1e6, true, [](const TrainConfig& c) { return double(c.epochs); }},
      {"steps_per_epoch", "--steps-per-epoch", 1, 1e8, true, [](const TrainConfig& c) { return double(c.stepsPerEpoch); }},
      {"lr", "--lr", 1e-12, 10, false, [](const TrainConfig& c) { return c.lr; }},
      {"weight_decay", "(config file)", 0, 10, false, [](const TrainConfig& c) { return c.weightDecay; }},
      {"warmup_fraction", "(config file)", 0, 1, false, [](const TrainConfig& c) { return c.warmupFraction; }},
      {"grad_clip", "(config file)", 0, 1e6, false, [](const TrainConfig& c) { return c.gradClip; }},
      {"foreground_fraction", "(config file)", 0, 1, false, [](const TrainConfig& c) { return c.foregroundFraction; }},
      {"skeleton_recall", "--skeleton-recall", 0, 100, false, [](const TrainConfig& c) { return c.skeletonRecallWeight; }},
      {"ema", "--ema", 0, 0.999999, false, [](const TrainConfig& c) { return c.emaDecay; }},
      {"workers", "--workers", 0, 256, true, [](const TrainConfig& c) { return double(c.workers); }},
      {"prefetch", "--prefetch", 1, 1024, true, [](const TrainConfig& c) { return double(c.prefetch); }},
      {"threads", "--threads", 0, 4096, true, [](const TrainConfig& c) { return double(c.threads); }},
      {"val_fraction", "--val-fraction", 0, 0.99, false, [](const TrainConfig& c) { return c.valFraction; }},
      {"val_crop", "--val-crop", 0, 4096, true, [](const TrainConfig& c) { return double(c.valCrop); }},
      {"val_patches", "--val-patches", -1, 1e6, true, [](const TrainConfig& c) { return double(c.valPatches); }},
      {"val_every", "--val-every", 1, 1e6, true, [](const TrainConfig& c) { return double(c.valEvery); }},
      // The rendezvous store serves at most 256 processes (StoreLimits::maxNodes).
      {"nnodes", "--nnodes", 1, 256, true, [](const TrainConfig& c) { return double(c.nnodes); }},
      {"node_rank", "--node-rank", 0, 255, true, [](const TrainConfig& c) { return double(c.nodeRank); }},
      {"timeout_sec", "--timeout", 1, 3600, true, [](const TrainConfig& c) { return double(c.timeoutSec); }},
      {"bucket_mb", "--bucket-mb", 0.001, 4096, false, [](const TrainConfig& c) { return c.bucketMb; }},
      {"memory_cap_bytes", "(config file)", 0, 1125899906842624.0, true,
       [](const TrainConfig& c) { return double(c.memoryCapBytes); }},
      {"chunk_cache_mb", "--chunk-cache-mb", 0, 16777216, true, [](const TrainConfig& c) { return double(c.chunkCacheMb); }},
      {"val_max_volumes", "--val-max-volumes", 0, 1e6, true, [](const TrainConfig& c) { return double(c.valMaxVolumes); }},
      {"previews_kept", "--previews-kept", 0, 10000, true, [](const TrainConfig& c) { return double(c.previewsKept); }},
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
      {"data_dir", dataDir},
      {"run_dir", runDir},
      {"model", modelConfigToJson(model)},
      {"patch", patch},
      {"batch_per_device", batchPerDevice},
      {"grad_accumulation", gradAccumulation},
      {"epochs", epochs},
      {"steps_per_epoch", stepsPerEpoch},
      {"lr", lr},
      {"weight_decay", weightDecay},
      {"warmup_fraction", warmupFraction},
      {"grad_clip", gradClip},
      {"foreground_fraction", foregroundFraction},
      {"augment", augmentPresetName(augment)},
      {"amp", ampName(amp)},
      {"skeleton_recall", skeletonRecallWeight},
      {"ema", emaDecay},
      {"optimizer", optimizerName(optimizer)},
      {"workers", workers},
      {"prefetch", prefetch},
      {"threads", threads},
      {"val_fraction", valFraction},
      {"val_crop", valCrop},
      {"val_patches", valPatches},
      {"val_every", valEvery},
      {"seed", seed},
      {"strategy", strategyName(strategy)},
      {"devices", devices},
      {"nnodes", nnodes},
      {"node_rank", nodeRank},
      {"master", master},
      {"bind", bind},
      {"timeout_sec", timeoutSec},
      {"bucket_mb", bucketMb},
      {"memory_cap_bytes", memoryCapBytes},
      {"cache_dir", cacheDir},
      {"chunk_cache_mb", chunkCacheMb},
      {"val_max_volumes", valMaxVolumes},
      {"previews_kept", previewsKept},
      {"resume", resume},
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
    c.dataDir = j.value("data_dir", c.dataDir);
    c.runDir = j.value("run_dir", c.runDir);
    if (j.contains("model")) c.model = modelConfigFromJson(j.at("model"));
    c.patch = j.value("patch", c.patch);
    c.batchPerDevice = j.value("batch_per_device", c.batchPerDevice);
    c.gradAccumulation = j.value("grad_accumulation", c.gradAccumulation);
    c.epochs = j.value("epochs", c.epochs);
    c.stepsPerEpoch = j.value("steps_per_epoch", c.stepsPerEpoch);
    c.lr = j.value("lr", c.lr);
    c.weightDecay = j.value("weight_decay", c.weightDecay);
    c.warmupFraction = j.value("warmup_fraction", c.warmupFraction);
    c.gradClip = j.value("grad_clip", c.gradClip);
    c.foregroundFraction = j.value("foreground_fraction", c.foregroundFraction);
    // Written before the presets existed: those runs trained with the light recipe, and a resume
    // must keep it (not today's default).
    c.augment = parseAugmentPreset(j.value("augment", std::string(augmentPresetName(AugmentPreset::Light))));
    c.amp = parseAmp(j.value("amp", std::string(ampName(c.amp))));
    c.skeletonRecallWeight = j.value("skeleton_recall", c.skeletonRecallWeight);
    c.emaDecay = j.value("ema", c.emaDecay);
    c.optimizer = parseOptimizer(j.value("optimizer", std::string(optimizerName(c.optimizer))));
    c.workers = j.value("workers", c.workers);
    c.prefetch = j.value("prefetch", c.prefetch);
    c.threads = j.value("threads", c.threads);
    c.valFraction = j.value("val_fraction", c.valFraction);
    c.valCrop = j.value("val_crop", c.valCrop);
    c.valPatches = j.value("val_patches", 0);  // older runs: the full sliding window they had
    c.valEvery = j.value("val_every", c.valEvery);
    c.seed = j.value("seed", c.seed);
    c.strategy = parseStrategy(j.value("strategy", std::string(strategyName(c.strategy))));
    c.devices = j.value("devices", c.devices);
    c.nnodes = j.value("nnodes", c.nnodes);
    c.nodeRank = j.value("node_rank", c.nodeRank);
    c.master = j.value("master", c.master);
    c.bind = j.value("bind", c.bind);
    c.timeoutSec = j.value("timeout_sec", c.timeoutSec);
    c.bucketMb = j.value("bucket_mb", c.bucketMb);
    c.memoryCapBytes = j.value("memory_cap_bytes", c.memoryCapBytes);
    c.cacheDir = j.value("cache_dir", c.cacheDir);
    c.chunkCacheMb = j.value("chunk_cache_mb", c.chunkCacheMb);
    c.valMaxVolumes = j.value("val_max_volumes", c.valMaxVolumes);
    c.previewsKept = j.value("previews_kept", c.previewsKept);
    c.resume = j.value("resume", c.resume);
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
