#pragma once
// The 3D U-Net as a LibTorch module (torch). Modules are Cloneable so that
// multi-device strategies can replicate them with clone(device).
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "engine/model/ModelConfig.h"
#include "engine/model/torch/Norm3d.h"
#include "engine/model/torch/ResEncBlocks.h"

namespace vwb {

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
  // Training with deep supervision: the logits of every decoder level, full resolution first
  // ([N,1,D/2^l,H/2^l,W/2^l] for l = 0..levels-2). Without it: {forward(x)}.
  std::vector<torch::Tensor> forwardLevels(torch::Tensor x);
  const ModelConfig& config() const { return config_; }
  // Deterministic weights from the seed (He-normal for LeakyReLU, zero biases), independent of
  // the global RNG so that concurrent runs do not disturb each other.
  void initialize(uint64_t seed);

 private:
  // allLevels: also run the deep-supervision heads.
  std::vector<torch::Tensor> run(torch::Tensor x, bool allLevels);
  void buildResEnc();  // UNet3DResEnc.cpp
  std::vector<torch::Tensor> runResEnc(torch::Tensor x, bool allLevels);

  ModelConfig config_;
  // Plain U-Net: enc<l>, up<l>, dec<l>, head (names kept: older checkpoints load unchanged).
  std::vector<ConvBlock> encoders_, decoders_;
  std::vector<torch::nn::ConvTranspose3d> ups_;
  torch::nn::Conv3d head_{nullptr};
  // ResEnc: stem, stage<s>, up<l>, dec<l> (one conv per decoder stage), head.
  ConvNormAct stem_{nullptr};
  std::vector<ResidualStage> stages_;
  std::vector<ConvNormAct> resDecoders_;
  // Deep supervision: ds<l> for decoder levels l >= 1 (index 0 stays empty).
  std::vector<torch::nn::Conv3d> dsHeads_;
};
TORCH_MODULE(UNet3D);

// Validates the config (throws vwb::Error) and builds an initialized model on the CPU.
UNet3D makeUNet3D(const ModelConfig& config, uint64_t seed);

// Throws vwb::Error when the patch does not suit the config (divisibility by 2^(levels-1)).
void checkPatchFitsModel(const ModelConfig& config, int64_t patch);

}  // namespace vwb
