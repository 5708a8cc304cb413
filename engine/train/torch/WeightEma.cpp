#include "engine/train/torch/WeightEma.h"

#include "engine/core/Error.h"

namespace vwb {

WeightEma::WeightEma(double decay, UNet3DImpl& model) : decay_(decay) {
  torch::NoGradGuard noGrad;
  parameterCount_ = model.parameters().size();
  for (auto& t : tensorsOf(model)) average_.push_back(t.detach().clone());
}

std::vector<torch::Tensor> WeightEma::tensorsOf(UNet3DImpl& model) const {
  auto all = model.parameters();
  for (auto& b : model.buffers()) all.push_back(b);
  return all;
}

void WeightEma::update(UNet3DImpl& model) {
  torch::NoGradGuard noGrad;
  auto current = tensorsOf(model);
  for (size_t i = 0; i < current.size(); ++i) {
    if (i < parameterCount_ && current[i].is_floating_point())
      average_[i].mul_(decay_).add_(current[i].detach(), 1.0 - decay_);
    else
      average_[i].copy_(current[i]);
  }
}

void WeightEma::swap(UNet3DImpl& model) {
  torch::NoGradGuard noGrad;
  auto current = tensorsOf(model);
  for (size_t i = 0; i < current.size(); ++i) {
    auto held = current[i].detach().clone();
    current[i].detach().copy_(average_[i]);
    average_[i].copy_(held);
  }
}

void WeightEma::save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive ema;
  for (size_t i = 0; i < average_.size(); ++i) ema.write(std::to_string(i), average_[i]);
  archive.write("ema", ema);
}

bool WeightEma::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive ema;
  if (!archive.try_read("ema", ema)) return false;
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < average_.size(); ++i) {
    torch::Tensor t;
    ema.read(std::to_string(i), t);
    if (!t.sizes().equals(average_[i].sizes()))
      throw Error("the checkpoint's EMA weights do not match the model");
    average_[i].copy_(t);
  }
  return true;
}

}  // namespace vwb
