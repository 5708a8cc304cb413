#include "engine/train/TrainConfig.h"

#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/model/ModelConfigJson.h"

namespace vwb {

std::string TrainConfig::toJson() const {
  nlohmann::json j{
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
    c.augment = parseAugmentPreset(j.value("augment", std::string(augmentPresetName(c.augment))));
    c.amp = parseAmp(j.value("amp", std::string(ampName(c.amp))));
    c.skeletonRecallWeight = j.value("skeleton_recall", c.skeletonRecallWeight);
    c.emaDecay = j.value("ema", c.emaDecay);
    c.optimizer = parseOptimizer(j.value("optimizer", std::string(optimizerName(c.optimizer))));
    c.workers = j.value("workers", c.workers);
    c.prefetch = j.value("prefetch", c.prefetch);
    c.threads = j.value("threads", c.threads);
    c.valFraction = j.value("val_fraction", c.valFraction);
    c.valCrop = j.value("val_crop", c.valCrop);
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

}  // namespace vwb
