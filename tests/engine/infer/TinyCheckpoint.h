#pragma once
// Test helpers that need torch, kept out of the Qt test file (Qt's `slots` breaks torch headers).
#include <string>
#include <vector>

#include "engine/core/Volume.h"

namespace vwbtest {

// A freshly initialized 2-level UNet (4 channels) with patch `patch` and normalization
// (x - 100) / 50, saved as a vwb checkpoint.
void writeTinyCheckpoint(const std::string& path, int patch, unsigned seed);

// The network of that checkpoint run once on a whole patch-sized volume: sigmoid of its logits.
std::vector<float> directProbabilities(const std::string& checkpoint, const vwb::VolumeU8& image);

// What --amp auto runs on `device` ("cuda:0", "cpu") when its compute capability is given by the
// caller (the Kaggle kit's notebook asks torch for it): "fp32", "fp16" or "bf16". No GPU needed.
std::string autoPrecisionWithCapability(const std::string& device, int major, int minor);

}  // namespace vwbtest
