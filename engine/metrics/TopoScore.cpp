#include "engine/metrics/TopoScore.h"

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/metrics/NeighbourCodes.h"
#include "engine/metrics/RunLengthMask.h"

namespace vwb {

BettiNumbers bettiNumbers(const VolumeU8& mask, const Box3& box) {
  BettiNumbers b;
  const RunLengthMask fg = RunLengthMask::encode(mask, box, true);
  if (fg.runs.empty()) return b;
  b.b0 = labelComponents(fg, Connectivity::Face6).count;
  const RunLengthMask bg = RunLengthMask::encode(mask, box, false);
  const Components bc = labelComponents(bg, Connectivity::Full26);
  const std::vector<bool> open = componentsTouchingBorder(bg, bc);
  b.b2 = std::count(open.begin(), open.end(), false);
  b.b1 = b.b0 + b.b2 - eulerCharacteristic6(mask, box);
  return b;
}

TopoResult topoScore(const VolumeU8& gt, const VolumeU8& pred) {
  if (gt.shape != pred.shape) throw Error("TopoScore: masks are " + gt.shape.str() + " and " + pred.shape.str());
  TopoResult r;
  for (const Box3& box : octants(gt.shape)) {
    const BettiNumbers g = bettiNumbers(gt, box), p = bettiNumbers(pred, box);
    for (int k = 0; k < 3; ++k) {
      r.gt[k] += g[k];
      r.pred[k] += p[k];
      r.matched[k] += std::min(g[k], p[k]);
    }
  }
  const double weights[3] = {0.34, 0.33, 0.33};
  double weighted = 0, weightSum = 0;
  for (int k = 0; k < 3; ++k) {
    const double p = static_cast<double>(r.pred[k]), g = static_cast<double>(r.gt[k]);
    if (p == 0 && g == 0) continue;  // nothing to find, nothing found: skipped
    r.used[k] = true;
    // With no GT feature, 0.5/(p+0.5) penalises spurious features smoothly instead of a flat 0.
    r.f1[k] = g == 0 ? 0.5 / (p + 0.5) : 2.0 * static_cast<double>(r.matched[k]) / (p + g);
    weighted += weights[k] * r.f1[k];
    weightSum += weights[k];
  }
  r.score = weightSum > 0 ? weighted / weightSum : 1.0;
  return r;
}

}  // namespace vwb
