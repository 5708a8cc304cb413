#include "engine/train/detail/TrainingLoss.h"

#include "engine/core/Error.h"
#include "engine/train/torch/Loss.h"

namespace vwb {

LossOptions lossOptionsFor(const TrainConfig& config) {
  LossOptions o;
  o.deepSupervision = config.model.deepSupervision;
  o.skeletonRecallWeight = config.optimizer.skeletonRecallWeight;
  return o;
}

std::vector<double> deepSupervisionWeights(int outputs) {
  std::vector<double> w;
  double sum = 0;
  for (int l = 0; l < outputs; ++l) {
    w.push_back(1.0 / static_cast<double>(int64_t(1) << l));
    sum += w.back();
  }
  for (auto& v : w) v /= sum;
  return w;
}

torch::Tensor downsampleLabel(const torch::Tensor& label, int64_t factor) {
  if (factor == 1) return label;
  auto surface = torch::max_pool3d((label == 1).to(torch::kFloat32), factor, factor) > 0;
  auto ignored = torch::max_pool3d((label == 2).to(torch::kFloat32), factor, factor) > 0;
  auto coarse = torch::zeros_like(surface, torch::kUInt8);
  coarse.masked_fill_(ignored, 2);
  coarse.masked_fill_(surface, 1);
  return coarse;
}

torch::Tensor skeletonRecallLoss(const torch::Tensor& logits, const torch::Tensor& label,
                                 const torch::Tensor& tube) {
  const int64_t n = logits.size(0);
  auto p = torch::sigmoid(logits.to(torch::kFloat32).reshape({n, -1}));
  auto t = ((tube.reshape({n, -1}) != 0) & (label.reshape({n, -1}) != 2)).to(torch::kFloat32);
  return 1.0 - ((p * t).sum(1) + 1.0) / (t.sum(1) + 1.0);
}

torch::Tensor trainingLoss(UNet3DImpl& model, const torch::Tensor& image,
                           const torch::Tensor& label, const torch::Tensor& skeleton,
                           const LossOptions& options) {
  torch::Tensor loss;
  torch::Tensor fullResolution;
  if (options.deepSupervision) {
    auto outputs = model.forwardLevels(image);
    auto weights = deepSupervisionWeights(static_cast<int>(outputs.size()));
    for (size_t l = 0; l < outputs.size(); ++l) {
      auto term = weights[l] * perSampleLoss(outputs[l], downsampleLabel(label, int64_t(1) << l));
      loss = loss.defined() ? loss + term : term;
    }
    fullResolution = outputs.front();
  } else {
    fullResolution = model.forward(image);
    loss = perSampleLoss(fullResolution, label);
  }
  if (options.skeletonRecallWeight > 0) {
    if (!skeleton.defined()) throw Error("internal: skeleton recall on, but the batch has no skeletons");
    loss = loss + options.skeletonRecallWeight * skeletonRecallLoss(fullResolution, label, skeleton);
  }
  return loss;
}

}  // namespace vwb
