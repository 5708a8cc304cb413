#pragma once
// TopoScore as the official scorer computes it: per homology dimension k (0 components, 1 tunnels,
// 2 cavities) an F1 between the persistence pairs of GT and Pred that Betti matching matches
// (BettiMatching.h), counted per 2x2x2 octant and summed, weighted 0.34/0.33/0.33 over the
// dimensions that have a feature on either side.
#include <array>
#include <cstdint>

#include "engine/core/Volume.h"
#include "engine/metrics/Box3.h"

namespace vwb {

struct BettiNumbers {
  int64_t b0 = 0;  // 6-connected foreground components
  int64_t b1 = 0;  // tunnels: b0 + b2 - Euler characteristic
  int64_t b2 = 0;  // cavities: 26-connected background components not touching the box border
  int64_t operator[](int k) const { return k == 0 ? b0 : k == 1 ? b1 : b2; }
};

// Betti numbers of the foreground inside `box`, the box surrounded by background.
BettiNumbers bettiNumbers(const VolumeU8& mask, const Box3& box);

struct TopoResult {
  // Persistence pairs summed over octants. pred[0] = components - 1 per octant: the essential
  // component of each octant is not a pair.
  std::array<int64_t, 3> pred{}, gt{}, matched{};
  std::array<double, 3> f1{};  // unused dims have f1 = 0
  std::array<bool, 3> used{};  // false when no pair on either side
  double score = 1;
};

// Masks are binary (nonzero = foreground). Octants run on up to `threads` threads (0: all cores).
TopoResult topoScore(const VolumeU8& gt, const VolumeU8& pred, int threads = 0);

// The official F1 and weights from summed counts (fills f1, used, score).
void finishTopoScore(TopoResult& r);

}  // namespace vwb
