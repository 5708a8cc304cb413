// The residual-encoder layout of UNet3DImpl (nnU-Net's ResidualEncoderUNet; see ModelPresets.h).
#include "engine/model/ModelMemory.h"
#include "engine/model/ModelPresets.h"
#include "engine/model/torch/UNet3DImpl.h"

namespace vwb {

namespace nn = torch::nn;

void UNet3DImpl::buildResEnc() {
  const int stages = config_.levels;
  stem_ = register_module("stem", ConvNormAct(1, levelChannels(config_, 0), 3, 1, config_.norm, true));
  int64_t in = levelChannels(config_, 0);
  for (int s = 0; s < stages; ++s) {
    int64_t c = levelChannels(config_, s);
    stages_.push_back(register_module("stage" + std::to_string(s),
                                      ResidualStage(in, c, s == 0 ? 1 : 2, resEncBlocks(s),
                                                    config_.norm)));
    in = c;
  }
  resDecoders_.resize(std::max(0, stages - 1), nullptr);
  ups_.resize(std::max(0, stages - 1), nullptr);
  for (int l = stages - 2; l >= 0; --l) {
    int64_t c = levelChannels(config_, l), below = levelChannels(config_, l + 1);
    ups_[l] = register_module("up" + std::to_string(l),
                              nn::ConvTranspose3d(nn::ConvTranspose3dOptions(below, c, 2).stride(2)));
    resDecoders_[l] = register_module("dec" + std::to_string(l),
                                      ConvNormAct(2 * c, c, 3, 1, config_.norm, true));
  }
  head_ = register_module("head", nn::Conv3d(nn::Conv3dOptions(levelChannels(config_, 0), 1, 1)));
  if (config_.deepSupervision) {
    dsHeads_.resize(std::max(0, stages - 1), nullptr);
    for (int l = 1; l + 1 < stages; ++l)
      dsHeads_[l] = register_module("ds" + std::to_string(l),
                                    nn::Conv3d(nn::Conv3dOptions(levelChannels(config_, l), 1, 1)));
  }
}

std::vector<torch::Tensor> UNet3DImpl::runResEnc(torch::Tensor x, bool allLevels) {
  const int stages = config_.levels;
  std::vector<torch::Tensor> skips, outputs;
  x = stem_(x);
  for (int s = 0; s < stages; ++s) {
    x = stages_[s](x);
    if (s + 1 < stages) skips.push_back(x);
  }
  for (int l = stages - 2; l >= 0; --l) {
    x = ups_[l](x);
    x = resDecoders_[l](torch::cat({skips[l], x}, 1));
    if (allLevels && l >= 1) outputs.push_back(dsHeads_[l](x));
  }
  outputs.push_back(head_(x));
  std::reverse(outputs.begin(), outputs.end());
  return outputs;
}

}  // namespace vwb
