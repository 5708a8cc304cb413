#pragma once
// The network's settings: what a checkpoint carries so that the predictor rebuilds the network
// from it alone. Torch-free; engine/train's TrainConfig composes it (`TrainConfig::model`), the
// planner sizes it. JSON in ModelConfigJson.h.
#include <string>

namespace vwb {

enum class NormKind { Instance, Batch, Group };
// The network: the plain U-Net, or nnU-Net's residual-encoder U-Net. ResEnc M/L/XL share one
// shape (ModelPresets.h); they differ in the memory the planner sizes patches for.
enum class ArchKind { UNet, ResEncM, ResEncL, ResEncXL };

struct ModelConfig {
  int levels = 4;
  int baseChannels = 16;
  int maxChannels = 320;
  NormKind norm = NormKind::Instance;
  bool residual = false;
  ArchKind arch = ArchKind::UNet;
  bool deepSupervision = false;  // extra 1x1x1 heads at the decoder levels (training loss only)
};

// The names config files and flags use; parse* throw vwb::Error naming the choices.
const char* normName(NormKind n);
const char* archName(ArchKind a);
NormKind parseNorm(const std::string& s);
ArchKind parseArch(const std::string& s);

}  // namespace vwb
