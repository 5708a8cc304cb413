#include "engine/train/detail/Optimizers.h"

#include "engine/train/torch/DeviceSupport.h"

namespace vwb {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerSettings& settings,
                                                       std::vector<torch::Tensor> parameters) {
  if (settings.kind == OptimizerKind::Sgd)
    return std::make_unique<torch::optim::SGD>(std::move(parameters),
                                               torch::optim::SGDOptions(settings.lr)
                                                   .momentum(kSgdMomentum)
                                                   .nesterov(true)
                                                   .weight_decay(settings.weightDecay));
  return std::make_unique<torch::optim::AdamW>(std::move(parameters),
                                               torch::optim::AdamWOptions(settings.lr).weight_decay(settings.weightDecay));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

void adoptState(torch::optim::Optimizer& optimizer, const torch::Device& device) {
  if (auto* adamw = dynamic_cast<torch::optim::AdamW*>(&optimizer)) {
    adoptOptimizerState(*adamw, device);
    return;
  }
  for (auto& entry : optimizer.state()) {
    auto& s = static_cast<torch::optim::SGDParamState&>(*entry.second);
    auto t = s.momentum_buffer();
    if (t.defined()) s.momentum_buffer(t.to(t.options().device(device), false, /*copy=*/true));
  }
}

}  // namespace vwb
