#pragma once
// The training loss of one micro-batch (private: torch): perSampleLoss (BCE + soft Dice) at full
// resolution, plus deep supervision and skeleton recall when the config asks for them. Stays
// per-sample, so strategies split batches exactly as before (TrainStrategy.h).
#include <torch/torch.h>

#include <vector>

#include "engine/model/torch/UNet3DImpl.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/torch/TrainStrategy.h"

namespace vwb {

struct LossOptions {
  bool deepSupervision = false;
  double skeletonRecallWeight = 0;
};
LossOptions lossOptionsFor(const TrainConfig& config);

// Deep-supervision weights of `outputs` decoder levels: 1, 1/2, 1/4, ... normalized to sum 1.
std::vector<double> deepSupervisionWeights(int outputs);

// Label at 1/factor resolution, consistent with the ignore label: a coarse voxel is surface (1)
// when any of its fine voxels is, else ignored (2) when any is, else background (0). Max-pooling
// the surface keeps thin sheets that nearest-neighbour sampling would drop.
torch::Tensor downsampleLabel(const torch::Tensor& label, int64_t factor);

// Skeleton recall (Kirchhoff et al., ECCV 2024): 1 - (sum(p * tube) + 1) / (sum(tube) + 1) per
// sample over valid voxels (label != 2), p = sigmoid(logits), tube = the label's dilated skeleton.
torch::Tensor skeletonRecallLoss(const torch::Tensor& logits, const torch::Tensor& label,
                                 const torch::Tensor& tube);

// Forward + loss: [N] float32. `skeleton` (uint8 tubes, [N,1,...]) is needed when the skeleton
// term is on and ignored otherwise.
torch::Tensor trainingLoss(UNet3DImpl& model, const torch::Tensor& image,
                           const torch::Tensor& label, const torch::Tensor& skeleton,
                           const LossOptions& options);

}  // namespace vwb
