#include "engine/model/torch/ResEncBlocks.h"

namespace vwb {

namespace nn = torch::nn;

ConvNormActImpl::ConvNormActImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                 NormKind norm, bool activate, bool bias)
    : in_(in), out_(out), kernel_(kernel), stride_(stride), normKind_(norm), activate_(activate),
      bias_(bias) {
  reset();
}

void ConvNormActImpl::reset() {
  conv_ = register_module("conv", nn::Conv3d(nn::Conv3dOptions(in_, out_, kernel_)
                                                 .stride(stride_)
                                                 .padding(kernel_ / 2)
                                                 .bias(bias_)));
  norm_ = register_module("norm", Norm3d(normKind_, out_));
}

torch::Tensor ConvNormActImpl::forward(const torch::Tensor& x) {
  auto y = norm_(conv_(x));
  return activate_ ? torch::leaky_relu(y, 0.01) : y;
}

BasicBlockDImpl::BasicBlockDImpl(int64_t in, int64_t out, int64_t stride, NormKind norm)
    : in_(in), out_(out), stride_(stride), normKind_(norm) {
  reset();
}

void BasicBlockDImpl::reset() {
  conv1_ = register_module("conv1", ConvNormAct(in_, out_, 3, stride_, normKind_, true));
  conv2_ = register_module("conv2", ConvNormAct(out_, out_, 3, 1, normKind_, false));
  // nnU-Net's skip conv has no bias: the norm after it would cancel one.
  if (in_ != out_)
    skip_ = register_module("skip", ConvNormAct(in_, out_, 1, 1, normKind_, false, false));
}

torch::Tensor BasicBlockDImpl::forward(const torch::Tensor& x) {
  auto residual = conv2_(conv1_(x));
  auto skip = stride_ != 1 ? torch::avg_pool3d(x, stride_, stride_) : x;
  if (skip_) skip = skip_(skip);
  return torch::leaky_relu(residual + skip, 0.01);
}

ResidualStageImpl::ResidualStageImpl(int64_t in, int64_t out, int64_t stride, int blocks,
                                     NormKind norm)
    : in_(in), out_(out), stride_(stride), blocksCount_(blocks), normKind_(norm) {
  reset();
}

void ResidualStageImpl::reset() {
  blocks_.clear();
  for (int b = 0; b < blocksCount_; ++b)
    blocks_.push_back(register_module(
        "block" + std::to_string(b),
        BasicBlockD(b == 0 ? in_ : out_, out_, b == 0 ? stride_ : 1, normKind_)));
}

torch::Tensor ResidualStageImpl::forward(torch::Tensor x) {
  for (auto& b : blocks_) x = b(x);
  return x;
}

}  // namespace vwb
