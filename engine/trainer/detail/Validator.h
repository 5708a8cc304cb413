#pragma once
// Validation of a model on a run's held-out volumes (private: torch), in the two forms the
// trainer uses (engine/train/ValidationPlan.h says which, and how often):
//   - patches(): a fixed set of foreground patches, drawn once per run from the validation
//     volumes by a key of the run's seed alone (the same set every epoch, after a resume and on
//     every rank and node); pseudo-Dice = hard Dice of the summed counts of all patches (nnU-Net's
//     online evaluation). Cheap and steady: its moving average picks best.pt.
//   - full(): infer's sliding window (engine/infer/SlidingWindow.h) over each volume (or its
//     centred val_crop) at overlap 0, windows spread evenly with the last flush with the end,
//     blended by Gaussian importance where they meet: the Dice of the whole region, per volume
//     too. At the end of a run and on request (Trainer.h: validateRun).
// Both count with the engine's one Dice (engine/metrics/Dice.h), label 2 ignored.
// The preview (node 0): one slice of the first validated region, the same every time.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/core/Reporting.h"
#include "engine/model/Normalization.h"
#include "engine/train/PatchSampler.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingSource.h"
#include "engine/train/ValidationPreview.h"
#include "engine/train/ValidationRecord.h"

namespace vwb {

// Logits [N,1,P,P,P] on the CPU, float32, for images [N,1,P,P,P] on the CPU.
using PredictLogits = std::function<torch::Tensor(const torch::Tensor&)>;

struct ValidationResult {
  bool full = false;  // full sliding window (else the fixed patch set)
  double loss = 0, dice = 0;
  int64_t tiles = 0;
  double seconds = 0;
  std::vector<FullValidationRecord::Volume> volumes;  // full(): per volume
  std::optional<ValidationPreview> preview;           // when asked for
  double previewSeconds = 0;                          // what the preview added
};

// The record of a full validation (RUN/validation/NAME.json) from its result.
FullValidationRecord fullValidationRecord(const ValidationResult& r, const std::string& checkpoint, int64_t step,
                                          int64_t epoch, int crop);

class Validator {
 public:
  // `volumes`: indices into source.volumes(), validated in this order. The config gives the
  // patch, the micro-batch of tiles per forward, val_crop, val_patches and the seed.
  Validator(const TrainingSource& source, std::vector<int> volumes, const Normalization& norm,
            const TrainConfig& config);

  // The fixed patch set (config.valPatches of them), drawn on first use; a digest of it for the
  // log ("set 3f9a...": the same after a resume).
  const std::vector<PatchSpec>& patchSet();
  std::string patchSetDigest();

  // nullopt when cancelled part-way. progress (optional): tiles done of the total.
  std::optional<ValidationResult> patches(const PredictLogits& predict, const CancelToken& cancel,
                                          bool withPreview);
  std::optional<ValidationResult> full(const PredictLogits& predict, const CancelToken& cancel,
                                       bool withPreview, ProgressSink* progress = nullptr);

  const std::vector<int>& volumes() const { return volumes_; }

 private:
  const TrainingSource& source_;
  std::vector<int> volumes_;
  TrainConfig config_;
  PatchSampler sampler_;  // no augmentation; extracts the boxes
  std::vector<PatchSpec> patchSet_;
  bool drawn_ = false;
  int64_t previewZ_ = -1;  // the preview's slice in its region (fixed once chosen)
};

}  // namespace vwb
