#pragma once
// Torch part of TestExportModel behind plain types (ExportChecks.cpp: torch, no Qt).
#include <cstdint>
#include <string>

#include "engine/train/TrainConfig.h"

namespace exportchecks {

// Writes a checkpoint of a seeded model (`config`, `patch`, a non-trivial normalization) to
// `checkpoint`, exports it to `exported`, a raw patch (0..255 floats) to `input` and our
// network's logits of the normalized patch to `expected` (float32, z-major). Then loads
// `exported` with torch::jit::load and returns the largest |logit difference| of predict_raw.
double exportAndCompare(const vwb::ModelConfig& config, int64_t patch, const std::string& checkpoint,
                        const std::string& exported, const std::string& input,
                        const std::string& expected);

}  // namespace exportchecks
