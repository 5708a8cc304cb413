#pragma once
// Torch-side helpers of TestCheckpointIntegrity behind plain types (CheckpointFiles.cpp has torch
// and no Qt): checkpoints written the way the trainer writes them, with or without a checksum,
// with weights of another architecture than recorded, and a bit flipped inside a weight.
#include <string>

#include "engine/train/TrainConfig.h"

namespace checkpointfiles {

// Writes a model-only checkpoint recording `recorded` but holding the weights of `weights`;
// `sealed` adds the content checksum (as the trainer does), otherwise an older vwb's file.
void write(const std::string& path, const vwb::ModelConfig& recorded, const vwb::ModelConfig& weights,
           bool sealed);
// Flips one bit inside the stored bytes of the first conv weight; false when they are not found.
bool flipWeightBit(const std::string& path, const vwb::ModelConfig& config);
// loadModelCheckpoint(path): "" when it loads, else the error's message; `checksummed` is set.
std::string load(const std::string& path, bool* checksummed = nullptr);

}  // namespace checkpointfiles
