#pragma once
// Measured memory of one training step (torch part of TestModelMemory behind plain types).
#include <cstdint>

#include "engine/train/TrainConfig.h"

namespace memoryprobe {

struct StepMemory {
  int64_t measuredBytes = 0;  // peak RSS of a steady-state step, less the RSS before the model
  double stepSeconds = 0;
};

// Builds the model and AdamW, runs two steps (forward with the training loss, deep supervision
// included, backward, AdamW) on random data of [batch, 1, patch^3], and reports the peak
// resident set of the second one above the RSS before the model existed. Large allocations are mmapped and returned on free for the duration,
// so earlier measurements in the process do not hide memory in glibc's heap.
StepMemory measureTrainingStep(const vwb::ModelConfig& model, int patch, int batch, int threads);

}  // namespace memoryprobe
