#include "OptionChecks.h"

#include <torch/torch.h>

#include "engine/train/detail/TrainingLoss.h"

namespace optionchecks {

std::vector<double> deepSupervisionWeights(int outputs) {
  return vwb::deepSupervisionWeights(outputs);
}

std::vector<uint8_t> downsampleLabel(const std::vector<uint8_t>& label, int64_t edge, int64_t factor) {
  auto t = torch::from_blob(const_cast<uint8_t*>(label.data()), {1, 1, edge, edge, edge}, torch::kUInt8);
  auto c = vwb::downsampleLabel(t, factor).contiguous();
  return std::vector<uint8_t>(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
}

double skeletonRecallLoss(float logit, const std::vector<uint8_t>& label,
                          const std::vector<uint8_t>& tube) {
  const int64_t n = static_cast<int64_t>(label.size());
  auto lab = torch::from_blob(const_cast<uint8_t*>(label.data()), {1, 1, n}, torch::kUInt8);
  auto tb = torch::from_blob(const_cast<uint8_t*>(tube.data()), {1, 1, n}, torch::kUInt8);
  return vwb::skeletonRecallLoss(torch::full({1, 1, n}, logit), lab, tb).item<double>();
}

}  // namespace optionchecks
