#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/model/ModelMemory.h"
#include "engine/model/ModelPresets.h"
#include "engine/model/torch/UNet3DImpl.h"

namespace vwb {

namespace nn = torch::nn;

Norm3dImpl::Norm3dImpl(NormKind kind, int64_t channels) : kind_(kind), channels_(channels) {
  reset();
}

void Norm3dImpl::reset() {
  switch (kind_) {
    case NormKind::Instance:
      instance_ = register_module("norm", nn::InstanceNorm3d(
                                              nn::InstanceNorm3dOptions(channels_).affine(true)));
      break;
    case NormKind::Batch:
      batch_ = register_module("norm", nn::BatchNorm3d(channels_));
      break;
    case NormKind::Group: {
      int64_t groups = 8;  // the largest of 8..1 that divides the width
      while (channels_ % groups != 0) --groups;
      group_ = register_module("norm", nn::GroupNorm(nn::GroupNormOptions(groups, channels_)));
      break;
    }
  }
}

torch::Tensor Norm3dImpl::forward(const torch::Tensor& x) {
  if (instance_) return instance_(x);
  if (batch_) return batch_(x);
  return group_(x);
}

ConvBlockImpl::ConvBlockImpl(int64_t in, int64_t out, NormKind norm, bool residual)
    : in_(in), out_(out), normKind_(norm), residual_(residual) {
  reset();
}

void ConvBlockImpl::reset() {
  conv1_ = register_module("conv1", nn::Conv3d(nn::Conv3dOptions(in_, out_, 3).padding(1)));
  norm1_ = register_module("norm1", Norm3d(normKind_, out_));
  conv2_ = register_module("conv2", nn::Conv3d(nn::Conv3dOptions(out_, out_, 3).padding(1)));
  norm2_ = register_module("norm2", Norm3d(normKind_, out_));
  if (residual_ && in_ != out_)
    project_ = register_module("project", nn::Conv3d(nn::Conv3dOptions(in_, out_, 1)));
}

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::leaky_relu(norm1_(conv1_(x)), 0.01);
  y = norm2_(conv2_(y));
  if (residual_) y = y + (project_ ? project_(x) : x);
  return torch::leaky_relu(y, 0.01);
}

UNet3DImpl::UNet3DImpl(const ModelConfig& config) : config_(config) { reset(); }

void UNet3DImpl::reset() {
  encoders_.clear();
  decoders_.clear();
  ups_.clear();
  stages_.clear();
  resDecoders_.clear();
  dsHeads_.clear();
  if (isResEnc(config_.arch)) {
    buildResEnc();
    return;
  }
  int64_t in = 1;
  for (int l = 0; l < config_.levels; ++l) {
    int64_t c = levelChannels(config_, l);
    encoders_.push_back(register_module("enc" + std::to_string(l),
                                        ConvBlock(in, c, config_.norm, config_.residual)));
    in = c;
  }
  // Decoders indexed by the level they produce; built deepest first like the forward pass.
  decoders_.resize(std::max(0, config_.levels - 1), nullptr);
  ups_.resize(std::max(0, config_.levels - 1), nullptr);
  for (int l = config_.levels - 2; l >= 0; --l) {
    int64_t c = levelChannels(config_, l), below = levelChannels(config_, l + 1);
    ups_[l] = register_module("up" + std::to_string(l),
                              nn::ConvTranspose3d(nn::ConvTranspose3dOptions(below, c, 2).stride(2)));
    decoders_[l] = register_module("dec" + std::to_string(l),
                                   ConvBlock(2 * c, c, config_.norm, config_.residual));
  }
  head_ = register_module("head", nn::Conv3d(nn::Conv3dOptions(levelChannels(config_, 0), 1, 1)));
  if (config_.deepSupervision) {
    dsHeads_.resize(std::max(0, config_.levels - 1), nullptr);
    for (int l = 1; l + 1 < config_.levels; ++l)
      dsHeads_[l] = register_module("ds" + std::to_string(l),
                                    nn::Conv3d(nn::Conv3dOptions(levelChannels(config_, l), 1, 1)));
  }
}

torch::Tensor UNet3DImpl::forward(torch::Tensor x) { return run(std::move(x), false).front(); }

std::vector<torch::Tensor> UNet3DImpl::forwardLevels(torch::Tensor x) {
  return run(std::move(x), config_.deepSupervision);
}

std::vector<torch::Tensor> UNet3DImpl::run(torch::Tensor x, bool allLevels) {
  if (isResEnc(config_.arch)) return runResEnc(std::move(x), allLevels);
  std::vector<torch::Tensor> skips, outputs;
  for (int l = 0; l < config_.levels; ++l) {
    x = encoders_[l](x);
    if (l + 1 < config_.levels) {
      skips.push_back(x);
      x = torch::max_pool3d(x, 2);
    }
  }
  // Decoder levels deepest first; outputs are gathered deepest first, then reversed.
  for (int l = config_.levels - 2; l >= 0; --l) {
    x = ups_[l](x);
    x = decoders_[l](torch::cat({skips[l], x}, 1));
    if (allLevels && l >= 1) outputs.push_back(dsHeads_[l](x));
  }
  outputs.push_back(head_(x));
  std::reverse(outputs.begin(), outputs.end());
  return outputs;
}

void UNet3DImpl::initialize(uint64_t seed) {
  torch::NoGradGuard noGrad;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  // Visit parameters in registration order: the same seed gives the same weights everywhere.
  for (auto& item : named_parameters(true)) {
    auto& p = item.value();
    const std::string& name = item.key();
    bool isNorm = name.find("norm") != std::string::npos;
    if (p.dim() <= 1) {
      // Biases zero; norm scales one.
      p.fill_(isNorm && name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0
                                                                                           : 0.0);
      continue;
    }
    // He-normal for LeakyReLU(0.01), fan-in mode. A stride-2 kernel-2 transposed conv
    // (weights in, out, k, k, k) feeds each output voxel from one tap per input channel.
    bool transposed = name.rfind("up", 0) == 0;
    int64_t fanIn = transposed ? p.size(0) : p.size(1) * p[0][0].numel();
    double gain = std::sqrt(2.0 / (1.0 + 0.01 * 0.01));
    double std = gain / std::sqrt(static_cast<double>(fanIn));
    auto cpu = torch::empty(p.sizes(), torch::kFloat32);
    cpu.normal_(0.0, std, gen);
    p.copy_(cpu);
  }
}

void checkPatchFitsModel(const ModelConfig& config, int64_t patch) {
  int64_t factor = int64_t(1) << (config.levels - 1);
  if (isResEnc(config.arch) && patch > 0 && patch % factor == 0 && patch / factor < 4)
    throw Error("patch " + std::to_string(patch) + " is too small for a " +
                std::to_string(config.levels) + "-stage ResEnc U-Net: the deepest stage needs " +
                "at least 4 voxels per axis (patch >= " + std::to_string(4 * factor) + ")");
  if (patch <= 0 || patch % factor != 0)
    throw Error("patch " + std::to_string(patch) + " does not suit a " +
                std::to_string(config.levels) + "-level U-Net: it must be a positive multiple of " +
                std::to_string(factor));
}

UNet3D makeUNet3D(const ModelConfig& config, uint64_t seed) {
  if (config.levels < 1 || config.levels > 7)
    throw Error("model levels must be 1..7, got " + std::to_string(config.levels));
  if (config.baseChannels < 1 || config.maxChannels < config.baseChannels)
    throw Error("model channels: base " + std::to_string(config.baseChannels) + ", cap " +
                std::to_string(config.maxChannels) + " (need 1 <= base <= cap)");
  UNet3D model(config);
  model->initialize(seed);
  return model;
}

}  // namespace vwb
