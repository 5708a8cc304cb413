#include "engine/train/ValidationPlan.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace vwb {

namespace {
// The count of engine/infer's windowStarts(extent, patch, 0), which the validator places (train
// does not link infer, a later stage; TestValidationShare checks the two agree).
int64_t windowsAlong(int64_t extent, int64_t patch) {
  if (extent <= patch) return 1;
  return (extent - 1) / patch + 1;  // ceil: the last window is moved flush with the end
}

double shareOf(int64_t tiles, int every, int64_t samplesPerEpoch) {
  return double(tiles) * kTileCostPerTrainingSample / std::max(1.0, double(every) * double(samplesPerEpoch));
}
}  // namespace

int64_t slidingWindowTiles(const std::vector<Shape3>& shapes, int patch, int crop) {
  int64_t tiles = 0;
  for (const Shape3& s : shapes) {
    auto edge = [&](int64_t extent) { return crop > 0 ? std::min<int64_t>(crop, extent) : extent; };
    tiles += windowsAlong(edge(s.d), patch) * windowsAlong(edge(s.h), patch) * windowsAlong(edge(s.w), patch);
  }
  return tiles;
}

ValidationPlan planValidation(int64_t samplesPerEpoch, int64_t fullTiles, int every, double share) {
  ValidationPlan p;
  p.fullTiles = fullTiles;
  p.every = std::max(1, every);
  samplesPerEpoch = std::max<int64_t>(1, samplesPerEpoch);  // the loop below ends
  const double perTile = kTileCostPerTrainingSample;
  // Tiles one validation may cost within the share.
  auto budget = [&](int e) {
    return int64_t(std::floor(share * double(e) * double(samplesPerEpoch) / perTile));
  };
  if (fullTiles <= kMinValidationPatches || fullTiles <= budget(p.every)) {
    p.patches = 0;
    p.share = shareOf(fullTiles, p.every, samplesPerEpoch);
    p.reason = fmt::format(
        "the full sliding window over the held-out set ({} tile{}) {}: exact Dice at every validation",
        fullTiles, fullTiles == 1 ? "" : "s",
        fullTiles <= kMinValidationPatches
            ? fmt::format("is no more than the smallest patch set ({})", kMinValidationPatches)
            : fmt::format("costs ~{:.1f} % of training", 100 * p.share));
    return p;
  }
  int64_t n = std::clamp<int64_t>(budget(p.every), kMinValidationPatches, kMaxValidationPatches);
  while (budget(p.every) < n) ++p.every;  // the minimum set does not fit every epoch
  p.patches = int(n);
  p.share = shareOf(n, p.every, samplesPerEpoch);
  p.reason = fmt::format(
      "{} fixed foreground patches{} (pseudo-Dice; its moving average picks best.pt): ~{:.1f} % of "
      "training time (target <= {:.0f} %, a tile costing ~{:.2f} of a training sample); the full "
      "sliding window ({} tiles) runs at the end of the run and on request (vwb validate)",
      n, p.every == 1 ? " every epoch" : fmt::format(" every {} epochs", p.every), 100 * p.share,
      100 * share, perTile, fullTiles);
  return p;
}

ValidationPlan resolveValidation(TrainConfig& config, int64_t globalBatch, int64_t fullTiles) {
  const int64_t samples = int64_t(config.run.stepsPerEpoch) * std::max<int64_t>(1, globalBatch);
  if (config.validation.patches < 0) {
    ValidationPlan p = planValidation(samples, fullTiles, config.validation.every);
    config.validation.patches = p.patches;
    config.validation.every = p.every;
    p.reason = "validation (val_patches auto): " + p.reason;
    return p;
  }
  ValidationPlan p;
  p.fullTiles = fullTiles;
  p.patches = config.validation.patches;
  p.every = config.validation.every;
  const int64_t tiles = p.patches > 0 ? p.patches : fullTiles;
  p.share = shareOf(tiles, p.every, samples);
  p.reason = fmt::format("validation (set: val_patches {}, val_every {}): {} ~{:.1f} % of training time",
                         p.patches, p.every,
                         p.patches > 0 ? fmt::format("{} fixed foreground patches,", p.patches)
                                       : fmt::format("the full sliding window ({} tiles),", fullTiles),
                         100 * p.share);
  return p;
}

}  // namespace vwb
