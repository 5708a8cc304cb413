#include "engine/model/ModelPresets.h"

#include <algorithm>

namespace vwb {

int resEncBlocks(int stage) {
  static constexpr int kBlocks[kResEncMaxStages] = {1, 3, 4, 6, 6, 6};
  return kBlocks[std::clamp(stage, 0, kResEncMaxStages - 1)];
}

int resEncStagesForPatch(int patch) {
  int stages = 1;
  while (stages < kResEncMaxStages) {
    int factor = 1 << stages;  // downsampling of one stage more
    if (patch % factor != 0 || patch / factor < 4) break;
    ++stages;
  }
  return stages;
}

int64_t archMemoryTargetBytes(ArchKind a) {
  constexpr int64_t kGB = 1000ll * 1000 * 1000;
  switch (a) {
    case ArchKind::UNet: return 0;
    case ArchKind::ResEncM: return 8 * kGB;
    case ArchKind::ResEncL: return 24 * kGB;
    case ArchKind::ResEncXL: return 40 * kGB;
  }
  return 0;
}

ModelConfig modelForPatch(const ModelConfig& base, int patch) {
  if (!isResEnc(base.arch)) return base;
  ModelConfig m = base;
  m.baseChannels = 32;
  m.maxChannels = 320;
  m.norm = NormKind::Instance;
  m.residual = true;
  m.levels = resEncStagesForPatch(patch);
  return m;
}

}  // namespace vwb
