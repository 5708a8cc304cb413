#pragma once
// Variation of information between the 26-connected components of two binary masks, counted
// over the voxels foreground in either mask (a voxel outside a mask's foreground has that
// mask's label 0): VOI = H(GT|Pred) + H(Pred|GT) in bits (log2, as the official scorer). A
// predicted sheet split in two raises H(Pred|GT); two GT sheets merged into one raise H(GT|Pred).
#include "engine/core/Volume.h"

namespace vwb {

struct VoiResult {
  double gtGivenPred = 0;  // H(GT|Pred): merges
  double predGivenGt = 0;  // H(Pred|GT): splits
  double voi = 0;
  double score = 1;  // 1 / (1 + alpha * VOI); 1 when both masks are empty
};

VoiResult variationOfInformation(const VolumeU8& gt, const VolumeU8& pred, double alpha = 0.3);

}  // namespace vwb
