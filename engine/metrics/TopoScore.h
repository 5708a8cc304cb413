#pragma once
// TopoScore: per homology dimension k (0 components, 1 tunnels, 2 cavities) an F1 between the
// features of GT and Pred, computed per 2x2x2 octant and summed, weighted 0.34/0.33/0.33.
//
// The official scorer matches features by Betti matching (persistent homology). This version
// counts them with Betti numbers (foreground 6-connected, background 26-connected) and takes
// matched = min(pred, gt) per octant. Betti matching can only match fewer features than that,
// so this TopoScore is an UPPER BOUND of the official value.
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
  std::array<int64_t, 3> pred{}, gt{}, matched{};  // summed over octants
  std::array<double, 3> f1{};                      // NaN-free; unused dims have f1 = 0
  std::array<bool, 3> used{};                      // false when no feature on either side
  double score = 1;
};

TopoResult topoScore(const VolumeU8& gt, const VolumeU8& pred);

}  // namespace vwb
