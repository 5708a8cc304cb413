#include "engine/metrics/BettiMatching.h"

#include <algorithm>

#include "engine/metrics/TopoScore.h"

namespace vwb {

BettiCounts bettiMatching(const VolumeU8& gt, const VolumeU8& pred, const Box3& box) {
  // Every class is born at 0 and, the whole block being contractible, dies at 1: the pair counts
  // are Betti numbers (less the essential component), found by fast run-length labelling.
  BettiCounts counts;
  const BettiNumbers p = bettiNumbers(pred, box), g = bettiNumbers(gt, box);
  counts.pred = {std::max<int64_t>(0, p.b0 - 1), p.b1, p.b2};
  counts.gt = {std::max<int64_t>(0, g.b0 - 1), g.b1, g.b2};
  // Only dimensions with pairs on both sides can match anything.
  bool need[3];
  for (int k = 0; k < 3; ++k) need[k] = counts.pred[k] > 0 && counts.gt[k] > 0;
  if (!need[0] && !need[1] && !need[2]) return counts;
  const BinaryCubicalGrid grid(gt, pred, box);
  if (need[0]) matchComponents(grid, counts);
  if (!need[1] && !need[2]) return counts;
  const DualPassResult comparison = cavityPass(grid, Filtration::Comparison);
  if (need[2])
    matchCavities(grid, cavityPass(grid, Filtration::Pred), cavityPass(grid, Filtration::Gt), comparison, counts);
  if (need[1]) matchTunnels(grid, comparison, counts);
  return counts;
}

}  // namespace vwb
