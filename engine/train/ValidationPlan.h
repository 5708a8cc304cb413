#pragma once
// Validation's cost as a planned share of training (torch-free). nnU-Net validates during training
// on patches (a pseudo-Dice) and runs the full sliding window only at the end; so do we, sized so
// that validation costs at most kValidationShare of the training time:
//   - the whole held-out set (or its crops) when its sliding window is that cheap, or tiny;
//   - else a fixed set of foreground patches, drawn once per run from the validation volumes
//     (engine/trainer/detail/Validator.h), as many as the share allows (kMinValidationPatches ..
//     kMaxValidationPatches), validating every `every` epochs when even the minimum does not fit.
// The trainer resolves val_patches = -1 (auto) with this at the start of a run and writes what
// it chose into config.json, so a resumed run (and every rank and node) keeps the same choice.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/train/TrainConfig.h"

namespace vwb {

inline constexpr double kValidationShare = 0.10;
// Fewer patches make the pseudo-Dice too noisy to rank checkpoints; more than this adds little
// precision (nnU-Net validates 50 batches of 2).
inline constexpr int kMinValidationPatches = 16;
inline constexpr int kMaxValidationPatches = 256;
// A validation tile (forward only, no gradient, batch of batch_per_device) costs this share of
// one training sample (forward, backward, optimizer step), measured on this 2-core CPU with the
// default U-Net at 64^3 (engine/train/README.md, "Validation"); GPUs give about the same ratio
// (a backward pass costs about two forwards).
inline constexpr double kTileCostPerTrainingSample = 0.35;

struct ValidationPlan {
  int patches = 0;        // 0: the full sliding window over the held-out set
  int every = 1;          // validate every this many epochs (and after the last)
  int64_t fullTiles = 0;  // tiles of one full sliding-window validation
  double share = 0;       // estimated validation time / training time
  std::string reason;     // one line: what was chosen and why
};

// Tiles of the full sliding-window validation over volumes of these shapes (non-overlapping
// windows, the last one flush with the end; a centred crop of edge `crop` when crop > 0).
int64_t slidingWindowTiles(const std::vector<Shape3>& shapes, int patch, int crop);

// The choice for an epoch of `samplesPerEpoch` training samples (steps x global batch), starting
// from `every` epochs between validations (only ever raised).
ValidationPlan planValidation(int64_t samplesPerEpoch, int64_t fullTiles, int every,
                              double share = kValidationShare);

// What a config's validation is: resolves val_patches = -1 (auto) in `config` with
// planValidation, or describes the explicit setting. globalBatch: samples per optimizer step.
ValidationPlan resolveValidation(TrainConfig& config, int64_t globalBatch, int64_t fullTiles);

}  // namespace vwb
