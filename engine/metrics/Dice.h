#pragma once
// Hard Dice of a binary prediction against a label (0 background, 1 surface, 2 ignored): the
// voxel counts {intersection, predicted, truth} over the voxels not labelled 2, and
// Dice = 2 * intersection / (predicted + truth), 1 when both are empty (nothing to find,
// nothing found). Counts add up, so the Dice of several patches or volumes together is the Dice
// of their summed counts (nnU-Net's pseudo-Dice). The one Dice of the engine: the trainer's
// validation (patches and sliding window) counts with it.
#include <cstddef>
#include <cstdint>

namespace vwb {

struct DiceCounts {
  double intersection = 0, predicted = 0, truth = 0;
  void add(const DiceCounts& o) {
    intersection += o.intersection;
    predicted += o.predicted;
    truth += o.truth;
  }
  double dice() const { return predicted + truth == 0 ? 1.0 : 2.0 * intersection / (predicted + truth); }
};

// `predicted`: nonzero = foreground; `label`: 0, 1 or 2 (2 = not counted); n voxels each.
DiceCounts countDice(const uint8_t* predicted, const uint8_t* label, size_t n);

}  // namespace vwb
