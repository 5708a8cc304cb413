#pragma once
// Building blocks of nnU-Net's residual-encoder U-Net (torch). Parameter names follow
// the module tree (stage2.block0.conv1.conv.weight, ...); UNet3DImpl::initialize relies on
// "norm" appearing in every norm's name.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "engine/model/torch/Norm3d.h"

namespace vwb {

// conv (kernel k, stride s, padding k/2) -> norm -> LeakyReLU(0.01) when `activate`.
class ConvNormActImpl : public torch::nn::Cloneable<ConvNormActImpl> {
 public:
  ConvNormActImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, NormKind norm,
                  bool activate, bool bias = true);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t in_, out_, kernel_, stride_;
  NormKind normKind_;
  bool activate_, bias_;
  torch::nn::Conv3d conv_{nullptr};
  Norm3d norm_{nullptr};
};
TORCH_MODULE(ConvNormAct);

// nnU-Net's BasicBlockD: conv-norm-act, conv-norm, plus a skip (average pooling when strided,
// then a 1x1x1 conv + norm when the width changes), LeakyReLU after the sum.
class BasicBlockDImpl : public torch::nn::Cloneable<BasicBlockDImpl> {
 public:
  BasicBlockDImpl(int64_t in, int64_t out, int64_t stride, NormKind norm);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t in_, out_, stride_;
  NormKind normKind_;
  ConvNormAct conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
};
TORCH_MODULE(BasicBlockD);

// One encoder stage: `blocks` BasicBlockDs, the first one strided (downsampling) and widening.
class ResidualStageImpl : public torch::nn::Cloneable<ResidualStageImpl> {
 public:
  ResidualStageImpl(int64_t in, int64_t out, int64_t stride, int blocks, NormKind norm);
  void reset() override;
  torch::Tensor forward(torch::Tensor x);

 private:
  int64_t in_, out_, stride_;
  int blocksCount_;
  NormKind normKind_;
  std::vector<BasicBlockD> blocks_;
};
TORCH_MODULE(ResidualStage);

}  // namespace vwb
