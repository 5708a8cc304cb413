#pragma once
// Torch-side checks for TestTrainer, behind plain types: this header is safe next to Qt, the
// implementation (TrainChecks.cpp) includes torch and no Qt.
#include <cstdint>
#include <string>
#include <vector>

namespace trainchecks {

// Per-sample loss of logits/labels shaped [n, 1, voxels/n] (labels 0/1/2).
std::vector<double> perSampleLoss(const std::vector<float>& logits,
                                  const std::vector<uint8_t>& labels, int64_t n);

// Largest absolute difference between the model weights of two checkpoints (0 = identical).
double maxWeightDifference(const std::string& checkpointA, const std::string& checkpointB);

// Loads a checkpoint the way the predictor does and runs it on a constant input; returns the
// output's shape as "NxCxDxHxW" and checks the model is in eval mode.
std::string predictorOutputShape(const std::string& checkpoint, bool* evalMode);

}  // namespace trainchecks
