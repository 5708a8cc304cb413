#include "engine/trainer/detail/TrainingRun.h"

#include <algorithm>
#include <array>
#include <thread>

#include "engine/core/Error.h"

namespace vwb {

void checkTrainConfig(const TrainConfig& c) {
  auto positive = [](int v, const char* what) {
    if (v < 1) throw Error(std::string(what) + " must be at least 1, got " + std::to_string(v));
  };
  positive(c.run.epochs, "epochs");
  positive(c.run.stepsPerEpoch, "steps per epoch");
  positive(c.data.batchPerDevice, "batch");
  positive(c.optimizer.gradAccumulation, "gradient accumulation");
  positive(c.data.prefetch, "prefetch");
  if (c.data.workers < 0) throw Error("workers must be 0 or more");
  if (c.validation.previewsKept < 0) throw Error("previews kept must be 0 or more");
  if (!(c.optimizer.lr > 0)) throw Error("learning rate must be positive");
  if (c.distributed.devices.empty()) throw Error("no device given");
  if (c.run.dir.empty()) throw Error("no run directory given (--out)");
  if (const std::string p = trainConfigRangeProblem(c); !p.empty()) throw Error(p);
  checkPatchFitsModel(c.model, c.data.patch);
  checkTrainingOptions(c.optimizer);  // TrainingOptions.h: skeleton recall, EMA, optimizer
}

int resolveThreads(int requested) {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return requested > 0 ? requested : std::max(1, cores);
}

// The batch's buffers become the tensors' storage (no copy); the tensors keep the batch alive.
GlobalBatch toGlobalBatch(std::shared_ptr<Batch> batch) {
  GlobalBatch g;
  g.step = batch->step;
  std::vector<int64_t> sizes{batch->size, 1, batch->patch, batch->patch, batch->patch};
  auto keep = [batch](void*) {};
  g.image = torch::from_blob(batch->image.data(), sizes, keep, torch::kFloat32);
  g.label = torch::from_blob(batch->label.data(), sizes, keep, torch::kUInt8);
  return g;
}

Normalization normalizationOf(const TrainingSource& source, const std::vector<int>& volumes) {
  std::array<int64_t, 256> histogram{};
  for (int v : volumes) {
    const auto& h = source.imageHistogram(v);
    for (size_t k = 0; k < 256; ++k) histogram[k] += h[k];
  }
  return normalizationFromHistogram(histogram);
}

}  // namespace vwb
