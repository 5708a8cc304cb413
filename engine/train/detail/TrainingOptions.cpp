#include "engine/train/detail/TrainingOptions.h"

#include "engine/core/Error.h"
#include "engine/train/LrSchedule.h"
#include "engine/train/SkeletonTube.h"

namespace vwb {

void checkTrainingOptions(const TrainConfig& c) {
  if (!(c.skeletonRecallWeight >= 0))
    throw Error("--skeleton-recall must be 0 (off) or a positive weight, got " +
                std::to_string(c.skeletonRecallWeight));
  if (!(c.emaDecay >= 0 && c.emaDecay < 1))
    throw Error("--ema must be a decay in [0, 1) (0 = off, e.g. 0.999), got " +
                std::to_string(c.emaDecay));
}

double scheduledLearningRate(const TrainConfig& c, int64_t step, int64_t totalSteps) {
  if (c.optimizer == OptimizerKind::Sgd) return polyLearningRate(c.lr, step, totalSteps);
  return learningRate(c.lr, step, totalSteps, c.warmupFraction);
}

GlobalBatch withSkeletons(const TrainConfig& c, GlobalBatch batch) {
  if (!(c.skeletonRecallWeight > 0)) return batch;
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
