#pragma once
// The 3D U-Net as a LibTorch module (private: includes torch). Modules are Cloneable so that
// multi-device strategies can replicate them with clone(device).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "engine/train/TrainConfig.h"

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

// Two 3x3x3 conv -> norm -> LeakyReLU(0.01); residual: the input (projected by a 1x1x1 conv when
// the width changes) is added before the second activation.
class ConvBlockImpl : public torch::nn::Cloneable<ConvBlockImpl> {
 public:
  ConvBlockImpl(int64_t in, int64_t out, NormKind norm, bool residual);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t in_, out_;
  NormKind normKind_;
  bool residual_;
  torch::nn::Conv3d conv1_{nullptr}, conv2_{nullptr}, project_{nullptr};
  Norm3d norm1_{nullptr}, norm2_{nullptr};
};
TORCH_MODULE(ConvBlock);

class UNet3DImpl : public torch::nn::Cloneable<UNet3DImpl> {
 public:
  explicit UNet3DImpl(const ModelConfig& config);
  void reset() override;
  // [N,1,D,H,W] -> one logit per voxel [N,1,D,H,W]; D,H,W divisible by 2^(levels-1).
  torch::Tensor forward(torch::Tensor x);
  const ModelConfig& config() const { return config_; }
  // Deterministic weights from the seed (He-normal for LeakyReLU, zero biases), independent of
  // the global RNG so that concurrent runs do not disturb each other.
  void initialize(uint64_t seed);

 private:
  ModelConfig config_;
  std::vector<ConvBlock> encoders_, decoders_;
  std::vector<torch::nn::ConvTranspose3d> ups_;
  torch::nn::Conv3d head_{nullptr};
};
TORCH_MODULE(UNet3D);

// Validates the config (throws vwb::Error) and builds an initialized model on the CPU.
UNet3D makeUNet3D(const ModelConfig& config, uint64_t seed);

// Throws vwb::Error when the patch does not suit the config (divisibility by 2^(levels-1)).
void checkPatchFitsModel(const ModelConfig& config, int64_t patch);

}  // namespace vwb
