#include "CheckpointFiles.h"

#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "engine/core/Error.h"
#include "engine/model/torch/ModelCheckpoint.h"

namespace checkpointfiles {

void write(const std::string& path, const vwb::ModelConfig& recorded, const vwb::ModelConfig& weights,
           bool sealed) {
  vwb::CheckpointInfo info;
  info.model = recorded;
  info.patch = 16;
  vwb::UNet3D model = vwb::makeUNet3D(weights, 5);
  torch::serialize::OutputArchive archive;
  vwb::writeModelSection(archive, info, "", *model);
  if (!sealed) {
    archive.save_to(path);
    return;
  }
  const std::string bytes = vwb::sealedCheckpointBytes(archive);
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

bool flipWeightBit(const std::string& path, const vwb::ModelConfig& config) {
  vwb::UNet3D model = vwb::makeUNet3D(config, 5);
  // The largest parameter: its bytes are stored verbatim (uncompressed) in the archive.
  torch::Tensor largest;
  for (const auto& p : model->parameters())
    if (!largest.defined() || p.numel() > largest.numel()) largest = p;
  const torch::Tensor w = largest.contiguous();
  const std::string needle(static_cast<const char*>(w.data_ptr()), 64);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const size_t at = bytes.find(needle);
  if (at == std::string::npos) return false;
  bytes[at + 37] = char(bytes[at + 37] ^ 0x10);  // one bit of a weight's mantissa
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
  return true;
}

std::string load(const std::string& path, bool* checksummed) {
  try {
    vwb::LoadedModel m = vwb::loadModelCheckpoint(path);
    if (checksummed) *checksummed = m.info.checksummed;
    return "";
  } catch (const vwb::Error& e) {
    return e.what();
  }
}

}  // namespace checkpointfiles
