#pragma once
// Checkpoint reading/writing of the model part (torch). The trainer adds its optimizer
// and state; the predictor uses loadModelCheckpoint() and gets a ready network.
#include <torch/torch.h>

#include <string>

#include "engine/model/CheckpointInfo.h"
#include "engine/model/torch/UNet3DImpl.h"

namespace vwb {

// Writes "format", "meta" (info.composeMeta(extraJson)) and "model" into the archive.
void writeModelSection(torch::serialize::OutputArchive& archive, const CheckpointInfo& info,
                       const std::string& extraJson, UNet3DImpl& model);

// The archive's bytes with a "checksum" entry added over everything already in it (what the
// loaders verify). Call it last, after every section is written.
std::string sealedCheckpointBytes(torch::serialize::OutputArchive& archive);

// Opens a checkpoint archive, mapping tensors to `device`, and verifies its checksum when it has
// one. Throws vwb::Error naming the file ("is damaged: ...").
torch::serialize::InputArchive openCheckpoint(const std::string& path, const torch::Device& device);
// The same from a checkpoint's bytes (e.g. received from node 0); `name` is what errors call it.
torch::serialize::InputArchive openCheckpointData(const std::string& data, const std::string& name,
                                                  const torch::Device& device);
CheckpointInfo readInfo(torch::serialize::InputArchive& archive, const std::string& path);
// Loads the "model" section into an existing network of the matching config, after checking that
// its tensors are exactly the network's (every name and shape; none missing, none extra).
void readModelSection(torch::serialize::InputArchive& archive, const std::string& path,
                      UNet3DImpl& model);

struct LoadedModel {
  CheckpointInfo info;
  UNet3D model{nullptr};  // on `device`, in eval mode
};

// The predictor's entry point: config + normalization + weights, ready to run.
LoadedModel loadModelCheckpoint(const std::string& path, const torch::Device& device = torch::kCPU);

}  // namespace vwb
