#pragma once
// Betti matching (Stucki et al., ICML 2023; the 3D "Efficient Betti Matching" paper) of a binary
// prediction against a binary label over one block, as the official TopoScore counts it.
//
// Both masks are inverted (foreground 0, background 1) and filtered by sublevel sets on the
// V-construction complex (BinaryCubicalGrid). With two values every finite persistence pair is
// born at 0 and dies at 1: dimension 0 holds components - 1 pairs (the essential component is not
// counted), dimension 1 the tunnels, dimension 2 the cavities. A prediction pair and a label pair
// are matched when both are matched, by the induced matching of the inclusions into the comparison
// image, to the same pair of the comparison image. With so many ties the matching depends on the
// order of the cells (BinaryCubicalGrid.h); every pass below follows that order exactly.
#include <array>
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/metrics/BinaryCubicalGrid.h"
#include "engine/metrics/Box3.h"

namespace vwb {

struct BettiCounts {
  std::array<int64_t, 3> matched{}, pred{}, gt{};
  BettiCounts& operator+=(const BettiCounts& o) {
    for (int k = 0; k < 3; ++k) matched[k] += o.matched[k], pred[k] += o.pred[k], gt[k] += o.gt[k];
    return *this;
  }
};

// Counts of one block of the two masks (binary, nonzero = foreground).
BettiCounts bettiMatching(const VolumeU8& gt, const VolumeU8& pred, const Box3& box);

// The passes, one file each; bettiMatching runs those a dimension with pairs on both sides needs.
// Dimension 2 by union-find on the dual graph (cubes and the outside, squares in reverse order).
// Also returns, per filtration, which squares create a 2-cycle: their dimension-1 columns vanish.
struct DualPassResult {
  std::vector<bool> positiveSquare;  // by square id
  std::vector<int64_t> keys;         // comparison-image ages of the pairs' dying cubes (sorted)
  int64_t pairs = 0;
};
DualPassResult cavityPass(const BinaryCubicalGrid& grid, Filtration f);
void matchCavities(const BinaryCubicalGrid& grid, const DualPassResult& pred, const DualPassResult& gt,
                   const DualPassResult& comparison, BettiCounts& counts);
// Dimension 0 (matched only) by union-find on the voxels of the comparison image.
void matchComponents(const BinaryCubicalGrid& grid, BettiCounts& counts);
// Dimension 1 (matched only) by reduction of the square boundaries (BoundaryReduction.h).
void matchTunnels(const BinaryCubicalGrid& grid, const DualPassResult& comparison, BettiCounts& counts);

}  // namespace vwb
