// Torch part of TestTrainer: no Qt here (Qt's `slots` macro breaks torch headers).
#include "TrainChecks.h"

#include <torch/torch.h>

#include "engine/model/torch/ModelCheckpoint.h"
#include "engine/train/torch/Loss.h"

namespace trainchecks {

std::vector<double> perSampleLoss(const std::vector<float>& logits,
                                  const std::vector<uint8_t>& labels, int64_t n) {
  int64_t per = static_cast<int64_t>(logits.size()) / n;
  auto x = torch::tensor(logits).reshape({n, 1, per});
  auto y = torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()))
               .to(torch::kUInt8)
               .reshape({n, 1, per});
  auto loss = vwb::perSampleLoss(x, y);
  std::vector<double> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(loss[i].item<double>());
  return out;
}

double maxWeightDifference(const std::string& a, const std::string& b) {
  auto ma = vwb::loadModelCheckpoint(a), mb = vwb::loadModelCheckpoint(b);
  auto pa = ma.model->named_parameters(), pb = mb.model->named_parameters();
  double worst = 0;
  for (const auto& item : pa) {
    auto other = pb[item.key()];
    worst = std::max(worst, (item.value() - other).abs().max().item<double>());
  }
  return worst;
}

std::string predictorOutputShape(const std::string& checkpoint, bool* evalMode) {
  auto loaded = vwb::loadModelCheckpoint(checkpoint);
  *evalMode = !loaded.model->is_training();
  torch::NoGradGuard noGrad;
  int64_t p = loaded.info.patch;
  auto out = loaded.model->forward(torch::zeros({1, 1, p, p, p}));
  std::string s;
  for (auto d : out.sizes()) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

}  // namespace trainchecks
