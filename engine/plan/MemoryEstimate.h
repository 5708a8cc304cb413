#pragma once
// Training memory of the UNet3D, estimated without building it (nnU-Net style). The planner sizes
// the per-device batch from this; `vwb plan --probe` confirms it with real steps.
// Until the model module exposes its own estimateActivationBytes, this mirrors its layout:
// per level two conv->norm->LeakyReLU blocks, max-pool down, transposed conv up, skip concat.
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
