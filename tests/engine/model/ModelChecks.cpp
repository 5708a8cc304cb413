// Torch part of TestModel: no Qt here.
#include "ModelChecks.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/model/torch/ModelCheckpoint.h"
#include "engine/model/torch/UNet3DImpl.h"

namespace modelchecks {

int64_t torchParameterCount(const vwb::ModelConfig& config) {
  auto model = vwb::makeUNet3D(config, 1);
  int64_t n = 0;
  for (const auto& p : model->parameters()) n += p.numel();
  return n;
}

std::string outputShape(const vwb::ModelConfig& config, int64_t patch, int64_t batch) {
  auto model = vwb::makeUNet3D(config, 1);
  torch::NoGradGuard noGrad;
  auto out = model->forward(torch::zeros({batch, 1, patch, patch, patch}));
  std::string s;
  for (auto d : out.sizes()) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

double initDifference(const vwb::ModelConfig& config, uint64_t seedA, uint64_t seedB) {
  auto a = vwb::makeUNet3D(config, seedA), b = vwb::makeUNet3D(config, seedB);
  auto pa = a->parameters(), pb = b->parameters();
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i)
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  return worst;
}

bool cloneMatches(const vwb::ModelConfig& config) {
  auto a = vwb::makeUNet3D(config, 5);
  auto b = std::dynamic_pointer_cast<vwb::UNet3DImpl>(a->clone());
  torch::NoGradGuard noGrad;
  auto x = torch::randn({1, 1, 16, 16, 16});
  return b && torch::equal(a->forward(x), b->forward(x));
}

bool patchFits(const vwb::ModelConfig& config, int64_t patch) {
  try {
    vwb::checkPatchFitsModel(config, patch);
    return true;
  } catch (const vwb::Error&) {
    return false;
  }
}

std::vector<std::string> levelShapes(const vwb::ModelConfig& config, int64_t patch) {
  auto model = vwb::makeUNet3D(config, 1);
  torch::NoGradGuard noGrad;
  std::vector<std::string> shapes;
  for (const auto& out : model->forwardLevels(torch::zeros({1, 1, patch, patch, patch}))) {
    std::string s;
    for (auto d : out.sizes()) s += (s.empty() ? "" : "x") + std::to_string(d);
    shapes.push_back(s);
  }
  return shapes;
}

bool checkpointRoundTrip(const vwb::ModelConfig& config, int64_t patch, const std::string& path) {
  auto model = vwb::makeUNet3D(config, 3);
  vwb::CheckpointInfo info;
  info.model = config;
  info.patch = patch;
  torch::serialize::OutputArchive archive;
  vwb::writeModelSection(archive, info, "", *model);
  archive.save_to(path);
  auto loaded = vwb::loadModelCheckpoint(path);
  torch::NoGradGuard noGrad;
  model->eval();
  auto x = torch::randn({1, 1, patch, patch, patch});
  return loaded.info.model.arch == config.arch && torch::equal(model->forward(x), loaded.model->forward(x));
}

}  // namespace modelchecks
