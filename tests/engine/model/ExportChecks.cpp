#include "ExportChecks.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <fstream>

#include "engine/model/TorchScriptExport.h"
#include "engine/model/torch/ModelCheckpoint.h"

namespace exportchecks {

namespace {
void writeRaw(const std::string& path, const torch::Tensor& t) {
  auto c = t.contiguous();
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * sizeof(float));
}
}  // namespace

double exportAndCompare(const vwb::ModelConfig& config, int64_t patch, const std::string& checkpoint,
                        const std::string& exported, const std::string& input,
                        const std::string& expected) {
  auto model = vwb::makeUNet3D(config, 11);
  vwb::CheckpointInfo info;
  info.model = config;
  info.patch = patch;
  info.normalization.clipLow = 20;
  info.normalization.clipHigh = 230;
  info.normalization.mean = 120;
  info.normalization.std = 45;
  {
    torch::serialize::OutputArchive archive;
    vwb::writeModelSection(archive, info, "", *model);
    archive.save_to(checkpoint);
  }
  std::string bytes = vwb::exportTorchScript(checkpoint);
  std::ofstream(exported, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));

  torch::manual_seed(4);
  auto raw = torch::randint(0, 256, {1, 1, patch, patch, patch}).to(torch::kFloat32);
  const auto& n = info.normalization;
  auto normalized = (raw.clamp(n.clipLow, n.clipHigh) - n.mean) / n.std;
  torch::NoGradGuard noGrad;
  model->eval();
  auto ours = model->forward(normalized);
  writeRaw(input, raw);
  writeRaw(expected, ours);

  auto loaded = torch::jit::load(exported);
  auto theirs = loaded.get_method("predict_raw")({raw}).toTensor();
  return (theirs - ours).abs().max().item<double>();
}

}  // namespace exportchecks
