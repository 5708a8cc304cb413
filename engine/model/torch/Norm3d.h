#pragma once
// The normalization layer every block uses (torch).
#include <torch/torch.h>

#include <cstdint>

#include "engine/model/ModelConfig.h"


namespace vwb {

// One of instance (affine) / batch / group norm, chosen by the model config.
class Norm3dImpl : public torch::nn::Cloneable<Norm3dImpl> {
 public:
  Norm3dImpl(NormKind kind, int64_t channels);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  NormKind kind_;
  int64_t channels_;
  torch::nn::InstanceNorm3d instance_{nullptr};
  torch::nn::BatchNorm3d batch_{nullptr};
  torch::nn::GroupNorm group_{nullptr};
};
TORCH_MODULE(Norm3d);

}  // namespace vwb
