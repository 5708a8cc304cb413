#pragma once
// Training memory of the UNet3D, estimated without building it (nnU-Net style). The planner sizes
// the per-device batch from this; `vwb plan --probe` confirms it with real steps.
// The counts come from the model module (engine/model/ModelMemory.h); this adds the optimizer
// state and backward's working set in the planner's units (cubic patch, bytes per element).
#include <cstdint>

#include "engine/train/TrainConfig.h"

namespace vwb {

struct MemoryEstimate {
  int64_t parameters = 0;       // trainable scalars
  int64_t parameterBytes = 0;   // fp32 weights + gradients + AdamW's two moments
  int64_t activationBytes = 0;  // saved for backward plus backward's working set, for the batch
  int64_t totalBytes() const { return parameterBytes + activationBytes; }
};

int64_t estimateParameters(const ModelConfig& model);
// bytesPerElement: 4 for fp32, 2 under fp16/bf16 autocast.
int64_t estimateActivationBytes(const ModelConfig& model, int patch, int batch, int bytesPerElement);
MemoryEstimate estimateTrainingMemory(const ModelConfig& model, int patch, int batch,
                                      int bytesPerElement);

}  // namespace vwb
