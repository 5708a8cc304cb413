#include "TinyCheckpoint.h"

#include <torch/torch.h>

#include "engine/model/torch/ModelCheckpoint.h"
#include "engine/model/Precision.h"

namespace vwbtest {

void writeTinyCheckpoint(const std::string& path, int patch, unsigned seed) {
  vwb::CheckpointInfo info;
  info.model.levels = 2;
  info.model.baseChannels = 4;
  info.model.maxChannels = 8;
  info.patch = patch;
  info.normalization.mean = 100;
  info.normalization.std = 50;
  vwb::UNet3D model = vwb::makeUNet3D(info.model, seed);
  torch::serialize::OutputArchive archive;
  vwb::writeModelSection(archive, info, "", *model);
  archive.save_to(path);
}

std::vector<float> directProbabilities(const std::string& checkpoint, const vwb::VolumeU8& image) {
  vwb::LoadedModel loaded = vwb::loadModelCheckpoint(checkpoint);
  const auto table = loaded.info.normalization.tableU8();
  std::vector<float> x(image.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = table[image.data[i]];
  c10::InferenceMode inference;
  torch::Tensor in = torch::from_blob(x.data(), {1, 1, image.shape.d, image.shape.h, image.shape.w});
  torch::Tensor p = torch::sigmoid(loaded.model->forward(in)).contiguous();
  return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

std::string autoPrecisionWithCapability(const std::string& device, int major, int minor) {
  return vwb::precisionName(vwb::resolvePrecision(vwb::AmpMode::Auto, vwb::parseDeviceName(device), nullptr, {major, minor}));
}

}  // namespace vwbtest
