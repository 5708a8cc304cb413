// validateRun (Trainer.h): the full sliding-window validation of a run's checkpoint, on request.
#include <filesystem>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/model/torch/ModelCheckpoint.h"
#include "engine/train/RunLock.h"
#include "engine/train/TrainingData.h"
#include "engine/train/ValidationSplit.h"
#include "engine/trainer/Trainer.h"
#include "engine/trainer/detail/Validator.h"

namespace vwb {

namespace fs = std::filesystem;

FullValidationRecord validateRun(const std::string& runDir, const std::string& checkpoint, LogSink& log,
                                 ProgressSink* progress, const CancelToken& cancel) {
  if (checkpoint != "best" && checkpoint != "last" && checkpoint != "ema")
    throw Error("--checkpoint " + checkpoint + ": must be best, last or ema");
  TrainConfig config = loadRunConfig(runDir);
  config.run.dir = runDir;
  const std::string path = (fs::path(runDir) / "checkpoints" / (checkpoint + ".pt")).string();
  if (!fs::exists(path)) throw fileError(path, "no such checkpoint in the run");
  RunLock lock(runDir);  // the run's files are written by one process at a time
  auto source = openTrainingSource(config, log, progress, &cancel);
  std::vector<std::string> scrolls;
  for (const auto& v : source->volumes()) scrolls.push_back(v.scrollId);
  // The run's own split (the same function of its settings the trainer used) and its cap.
  std::vector<int> volumes = splitValidation(scrolls, config.validation.fraction, config.run.seed).validation;
  if (config.validation.maxVolumes > 0 && int(volumes.size()) > config.validation.maxVolumes) volumes.resize(size_t(config.validation.maxVolumes));
  if (volumes.empty())
    throw fileError(runConfigPath(runDir), "the run holds out no validation volumes (val_fraction 0)");
  const bool cuda = !config.distributed.devices.empty() && config.distributed.devices[0].rfind("cuda", 0) == 0 && torch::cuda::is_available();
  const torch::Device device = cuda ? torch::Device(config.distributed.devices[0]) : torch::Device(torch::kCPU);
  LoadedModel loaded = loadModelCheckpoint(path, device);
  if (loaded.info.patch != config.data.patch) throw fileError(path, "its patch differs from the run's config.json");
  Validator validator(*source, volumes, loaded.info.normalization, config);
  log.log(LogLevel::Info, fmt::format("validating {} (step {}) on {} held-out volume{}, sliding window of {}^3{}",
                                      path, loaded.info.step, volumes.size(), volumes.size() == 1 ? "" : "s",
                                      config.data.patch,
                                      config.validation.crop > 0 ? fmt::format(", centred crops of {}", config.validation.crop) : ""));
  auto predict = [&](const torch::Tensor& image) {
    torch::NoGradGuard noGrad;
    return loaded.model->forward(image.to(device)).to(torch::kCPU, torch::kFloat32);
  };
  auto r = validator.full(predict, cancel, false, progress);
  if (!r) throw Cancelled();
  const FullValidationRecord record = fullValidationRecord(*r, checkpoint, loaded.info.step, loaded.info.epoch, config.validation.crop);
  writeFullValidation(runDir, record);
  log.log(LogLevel::Info, fmt::format("Dice {:.4f}, loss {:.4f} ({} tiles, {:.1f} s) -> {}", r->dice, r->loss, r->tiles,
                                      r->seconds, fullValidationPath(runDir, checkpoint)));
  return record;
}

}  // namespace vwb
