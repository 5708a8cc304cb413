// Decision tree, last step: how validation stays a small share of training (ValidationPlan.h).
// The plan leaves val_patches on auto: the trainer resolves it at the run's start with the same
// function and the exact held-out volumes; this step shows what that will be for the
// fingerprint's volumes (the largest shape, the share of volumes held out, val_max_volumes).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/plan/detail/PlanContext.h"
#include "engine/train/ValidationPlan.h"

namespace vwb::plan_detail {

void chooseValidation(PlanContext& ctx) {
  const TrainConfig& c = ctx.plan.config;
  const int volumes = ctx.fp.trainVolumes;
  int held = c.validation.fraction > 0 && volumes >= 2
                 ? std::clamp(int(std::lround(volumes * c.validation.fraction)), 1, volumes - 1)
                 : 0;
  if (c.validation.maxVolumes > 0) held = std::min(held, c.validation.maxVolumes);
  if (held == 0 || ctx.fp.maxShape.d == 0) {
    ctx.step("Validation?", "none", "No held-out volumes to validate on (val_fraction 0 or a single volume).");
    return;
  }
  const std::vector<Shape3> shapes(size_t(held), ctx.fp.maxShape);
  const int64_t samples = int64_t(c.run.stepsPerEpoch) * std::max<int64_t>(1, ctx.plan.globalBatch);
  const ValidationPlan v = planValidation(samples, slidingWindowTiles(shapes, c.data.patch, c.validation.crop), c.validation.every);
  const std::string answer = v.patches > 0 ? fmt::format("{} patches{}", v.patches,
                                                         v.every > 1 ? fmt::format(" every {} epochs", v.every) : "")
                                           : "full sliding window";
  const std::string why = fmt::format("{} held-out volume{} of up to {}, {} steps x {} samples an epoch: {}",
                                      held, held == 1 ? "" : "s", ctx.fp.maxShape.str(), c.run.stepsPerEpoch,
                                      ctx.plan.globalBatch, v.reason);
  ctx.step("Validation?", answer, why);
  ctx.plan.reasons.push_back(fmt::format("Validation {} (--val-patches, --val-every; auto at the run's start): {}.",
                                         answer, why));
}

}  // namespace vwb::plan_detail
