#pragma once
// The optimizer choice (private: torch): AdamW (default, with warm-up + cosine) or nnU-Net's
// SGD with Nesterov momentum 0.99 (with the poly schedule, LrSchedule.h).
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "engine/train/TrainConfig.h"

namespace vwb {

inline constexpr double kSgdMomentum = 0.99;

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerSettings& settings,
                                                       std::vector<torch::Tensor> parameters);
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

// After Optimizer::load from an archive opened on the CPU: own copies of the state on `device`
// (see DeviceSupport.h's AdamW version, which this extends to SGD's momentum buffers).
void adoptState(torch::optim::Optimizer& optimizer, const torch::Device& device);

}  // namespace vwb
