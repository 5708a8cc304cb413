#include "engine/train/torch/TrainingOptions.h"

#include "engine/core/Error.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/SkeletonTube.h"

namespace vwb {

void checkTrainingOptions(const OptimizerSettings& o) {
  if (!(o.skeletonRecallWeight >= 0))
    throw Error("--skeleton-recall must be 0 (off) or a positive weight, got " +
                std::to_string(o.skeletonRecallWeight));
  if (!(o.emaDecay >= 0 && o.emaDecay < 1))
    throw Error("--ema must be a decay in [0, 1) (0 = off, e.g. 0.999), got " +
                std::to_string(o.emaDecay));
}

double scheduledLearningRate(const OptimizerSettings& o, int64_t step, int64_t totalSteps) {
  if (o.kind == OptimizerKind::Sgd) return polyLearningRate(o.lr, step, totalSteps);
  return learningRate(o.lr, step, totalSteps, o.warmupFraction);
}

GlobalBatch withSkeletons(const OptimizerSettings& o, GlobalBatch batch) {
  if (!(o.skeletonRecallWeight > 0)) return batch;
  auto label = batch.label.contiguous();
  const int64_t n = label.size(0), p = label.size(2);
  auto tubes = torch::empty_like(label);
  const Shape3 shape{p, label.size(3), label.size(4)};
  const int64_t voxels = shape.voxels();
  for (int64_t i = 0; i < n; ++i)
    skeletonTube(label.data_ptr<uint8_t>() + i * voxels, shape, tubes.data_ptr<uint8_t>() + i * voxels);
  batch.skeleton = tubes;
  return batch;
}

}  // namespace vwb
