#pragma once
// Architecture presets (torch-free, for the CLI and the planner). nnU-Net's residual-encoder
// U-Net (Isensee et al. 2024, "nnU-Net Revisited"): widths min(32 * 2^i, 320), encoder stages
// of 1-3-4-6-6-6 residual blocks (BasicBlockD), strided-conv downsampling, one conv per decoder
// stage, instance norm, LeakyReLU. ResEnc M / L / XL are the same template; nnU-Net plans them
// for 8 / 24 / 40 GB of GPU memory, which is what makes their patches and batches differ.
#include <cstdint>

#include "engine/model/ModelConfig.h"


namespace vwb {

inline bool isResEnc(ArchKind a) { return a != ArchKind::UNet; }

// Residual blocks in encoder stage s (0-based): 1, 3, 4, 6, 6, 6.
int resEncBlocks(int stage);
inline constexpr int kResEncMaxStages = 6;

// Stages for a cubic patch: the most (up to 6) such that the deepest feature map is still at
// least 4 voxels per axis and every stride-2 step divides the patch (nnU-Net's rule).
int resEncStagesForPatch(int patch);

// GPU memory nnU-Net plans the preset for (0 for the plain U-Net: the device decides).
int64_t archMemoryTargetBytes(ArchKind a);

// `base` with the preset applied for `patch`: for ResEnc the widths (32..320), instance norm and
// the number of stages; the plain U-Net comes back unchanged. Keeps deepSupervision.
ModelConfig modelForPatch(const ModelConfig& base, int patch);

}  // namespace vwb
