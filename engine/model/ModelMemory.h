#pragma once
// Analytic size of a UNet3D (torch-free, for the planner): parameters and the activations kept
// for the backward pass. Memory scales linearly with batch and with patch voxels.
#include <cstdint>

#include "engine/core/Volume.h"
#include "engine/model/ModelConfig.h"

namespace vwb {

// Element type of the activations: fp32, or fp16/bf16 under autocast.
enum class ActivationDType { F32, F16, BF16 };
int activationElementBytes(ActivationDType t);

// Channel count of U-Net level l (0 = full resolution): base * 2^l, capped.
int64_t levelChannels(const ModelConfig& config, int level);

// Number of trainable parameters (matches the torch module exactly; tested).
int64_t parameterCount(const ModelConfig& config);

// Bytes of activations saved for backward by one training step of `batch` patches of `patch`
// voxels (conv/norm/activation outputs, pooling indices, up-sampling and concatenations).
// The transient gradient buffers of backward add roughly one level's worth on top: planners
// should keep a safety margin.
int64_t estimateActivationBytes(const ModelConfig& config, Shape3 patch, int64_t batch,
                                ActivationDType dtype);

// Floating-point operations of one forward pass over one patch (inference: no deep-supervision
// heads): 2 per multiply-add of every convolution, the transposed ones included; norms and
// activations are left out (a few percent). What the Kaggle kit's time estimate divides by a
// GPU's throughput.
double estimateForwardFlops(const ModelConfig& config, Shape3 patch);

// Parameters + gradients + AdamW moments (fp32) + activations: what one device holds in training.
int64_t estimateTrainingBytes(const ModelConfig& config, Shape3 patch, int64_t batch,
                              ActivationDType dtype);

}  // namespace vwb
