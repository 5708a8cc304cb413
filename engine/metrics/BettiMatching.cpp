#include "engine/metrics/BettiMatching.h"

namespace vwb {

BettiCounts bettiMatching(const BinaryCubicalGrid& grid) {
  BettiCounts counts;
  matchComponents(grid, counts);
  const DualPassResult pred = cavityPass(grid, Filtration::Pred);
  const DualPassResult gt = cavityPass(grid, Filtration::Gt);
  const DualPassResult comparison = cavityPass(grid, Filtration::Comparison);
  matchCavities(grid, pred, gt, comparison, counts);
  matchTunnels(grid, pred, gt, comparison, counts);
  return counts;
}

}  // namespace vwb
