// The training loop's validation hooks (TrainingRun, detail/TrainingRun.h): what is validated and
// how often is planned once at the run's start (ValidationPlan.h) and recorded in config.json;
// each validation reports its measured share of training; the run's end writes the full
// sliding-window validation of the final model (ValidationRecord.h).
#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/train/torch/WeightEma.h"
#include "engine/trainer/detail/TrainingRun.h"

namespace vwb {

void TrainingRun::planValidation() {
  if (valVolumes_.empty()) return;
  std::vector<Shape3> shapes;
  for (int v : valVolumes_) shapes.push_back(source_.volumes()[size_t(v)].shape);
  const int64_t globalBatch = int64_t(config_.data.batchPerDevice) * int64_t(strategy_->devices().size()) *
                              config_.optimizer.gradAccumulation;
  validationPlan_ = resolveValidation(config_, globalBatch, slidingWindowTiles(shapes, config_.data.patch, config_.validation.crop));
  log_->log(LogLevel::Info, validationPlan_.reason);
  validator_ = std::make_unique<Validator>(source_, valVolumes_, normalization_, config_);
  if (config_.validation.patches > 0)
    log_->log(LogLevel::Info, fmt::format("validation patch set {}: {} foreground patches of {}^3 from {} held-out "
                                          "volume{}, drawn from the seed (the same every epoch and after a resume)",
                                          validator_->patchSetDigest(), config_.validation.patches, config_.data.patch,
                                          valVolumes_.size(), valVolumes_.size() == 1 ? "" : "s"));
}

bool TrainingRun::validatesAfter(int64_t epoch) const {
  return (epoch + 1) % std::max(1, config_.validation.every) == 0 || epoch + 1 >= config_.run.epochs;
}

std::optional<ValidationResult> TrainingRun::validate() {
  EmaScope emaWeights(ema_.get(), strategy_->model());  // --ema: validate the averaged weights
  auto predict = [this](const torch::Tensor& image) { return strategy_->predictLogits(image); };
  const bool preview = config_.distributed.nodeRank == 0 && config_.validation.previewsKept > 0;
  auto r = config_.validation.patches > 0 ? validator_->patches(predict, cancel_, preview)
                                  : validator_->full(predict, cancel_, preview);
  if (!r) return r;
  // Its measured share: validation seconds against the training seconds since the last one.
  const double trained = runSeconds_ - runSecondsAtValidation_;
  runSecondsAtValidation_ = runSeconds_;
  const double share = trained > 0 ? r->seconds / trained : 0;
  log_->log(LogLevel::Info,
            fmt::format("validation ({}): {} {:.4f}, {} tiles in {:.1f} s ({:.1f} tiles/s) = {:.1f} % of the {:.1f} s "
                        "of training since the last one (planned ~{:.1f} %)",
                        r->full ? "full sliding window" : fmt::format("{} fixed patches", config_.validation.patches),
                        r->full ? "Dice" : "pseudo-Dice", r->dice, r->tiles, r->seconds,
                        r->tiles / std::max(r->seconds, 1e-9), 100 * share, trained, 100 * validationPlan_.share));
  // Far above the plan (a machine where a tile costs more than kTileCostPerTrainingSample says):
  // once, the setting that brings it back to the target.
  if (!advisedValidation_ && share > 2 * kValidationShare && r->tiles > kMinValidationPatches && trained > 0) {
    advisedValidation_ = true;
    const double perTile = r->seconds / double(r->tiles);
    const int64_t fits = int64_t(kValidationShare * trained / std::max(perTile, 1e-9));
    log_->log(LogLevel::Warning,
              fmt::format("validation took {:.0f} % of the training time since the last one: --val-patches {} "
                          "(or a larger --val-every) keeps it near {:.0f} % on this machine",
                          100 * share, std::max<int64_t>(kMinValidationPatches, fits), 100 * kValidationShare));
  }
  if (r->full) {
    lastFull_ = r;
    lastFullStep_ = state_.step;
  }
  return r;
}

bool TrainingRun::validateAtEnd() {
  if (!validator_ || config_.distributed.nodeRank != 0) return true;  // node 0 writes the run's files
  // What validation measured during the run: the averaged weights with --ema (ema.pt), else the
  // final weights (last.pt).
  const std::string name = ema_ ? "ema" : "last";
  const std::string path = fullValidationPath(config_.run.dir, name);
  try {
    if (readFullValidation(path).step == state_.step) return true;  // a resume of a finished run
  } catch (const Error&) {
    // none yet (or unreadable: written again below)
  }
  std::optional<ValidationResult> r;
  if (lastFull_ && lastFullStep_ == state_.step) {
    r = lastFull_;  // the last epoch's validation was the full sliding window already
  } else {
    log_->log(LogLevel::Info, fmt::format("full validation of the final model: {} tiles on {} held-out volume{}",
                                          validationPlan_.fullTiles, valVolumes_.size(),
                                          valVolumes_.size() == 1 ? "" : "s"));
    EmaScope emaWeights(ema_.get(), strategy_->model());
    r = validator_->full([this](const torch::Tensor& image) { return strategy_->predictLogits(image); },
                         cancel_, false);
    if (!r) return false;
  }
  writeFullValidation(config_.run.dir, fullValidationRecord(*r, name, state_.step, state_.epochsDone, config_.validation.crop));
  log_->log(LogLevel::Info, fmt::format("full validation of {}.pt (sliding window, {} tiles, {:.1f} s): Dice {:.4f}, "
                                        "loss {:.4f} on {} volume{} -> {}",
                                        name, r->tiles, r->seconds, r->dice, r->loss, r->volumes.size(),
                                        r->volumes.size() == 1 ? "" : "s", path));
  return true;
}

}  // namespace vwb
