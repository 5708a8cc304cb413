#pragma once
// The training loss (torch): BCE + soft Dice per sample, voxels labelled 2 excluded from
// both terms. Per-sample values let a batch be split across devices exactly.
#include <torch/torch.h>

namespace vwb {

inline constexpr double kDiceSmooth = 1.0;

// logits [N,1,...] (any float dtype), label [N,1,...] uint8 (0, 1, 2). Returns [N] float32:
//   bce_i  = mean over valid voxels of BCE-with-logits (0 when a sample has no valid voxel)
//   dice_i = 1 - (2*sum(p*y) + s) / (sum(p) + sum(y) + s) over valid voxels, s = kDiceSmooth
//   loss_i = bce_i + dice_i
torch::Tensor perSampleLoss(const torch::Tensor& logits, const torch::Tensor& label);

}  // namespace vwb
