// The Engine's stage services: the engine's own functions (the ones vwb calls) driven through the
// Engine's virtual doors, so a fake engine changes only what a fake must (the planner, the network).
#include <algorithm>

#include "engine/core/Error.h"
#include "ui/common/Engine.h"
#if VWB_HAVE_PLAN
#include "engine/plan/AutoConfig.h"
#endif
#if VWB_HAVE_INFER
#include "engine/infer/FolderPrediction.h"
#endif

namespace vwb::ui {
namespace {

[[noreturn, maybe_unused]] void missing(const char* module, const char* what) {
  throw Error(std::string(what) + " needs the engine module '" + module + "', which this build does not include");
}

// The predictor's per-volume progress (tiles) as a share of the whole prediction.
class VolumeShareProgress : public ProgressSink {
 public:
  static constexpr int64_t kSteps = 1000;  // per volume
  VolumeShareProgress(ProgressSink* outer, int64_t volumes) : outer_(outer), volumes_(volumes) {}
  void startVolume(int64_t index, const std::string& id) {
    volume_ = index;
    stage_ = "predicting " + id;
    progress("", 0, 1);
  }
  void finish() {
    if (outer_) outer_->progress("predicting", volumes_ * kSteps, volumes_ * kSteps);
  }
  void progress(const std::string&, int64_t done, int64_t total) override {
    if (outer_ && total > 0) outer_->progress(stage_, volume_ * kSteps + done * kSteps / total, volumes_ * kSteps);
  }

 private:
  ProgressSink* outer_;
  std::string stage_;
  int64_t volume_ = 0, volumes_;
};

}  // namespace

Plan Engine::planTraining(const HardwareInventory& hardware, const DatasetFingerprint& fingerprint,
                          const DatasetCacheStatus* cache, const UserConstraints& constraints) {
#if VWB_HAVE_PLAN
  CacheReadiness readiness;
  readiness.cachedFraction = constraints.cachedFraction;
  readiness.diskFreeBytes = constraints.diskFreeBytes;
  if (cache) {
    // The share of the labelled training volumes with a fresh cache entry, as cacheReadiness counts.
    if (!cache->train.empty()) {
      const auto cached = std::count_if(cache->train.begin(), cache->train.end(),
                                        [](const VolumeCacheStatus& v) { return v.state == CacheState::Cached; });
      readiness.cachedFraction = double(cached) / double(cache->train.size());
    }
    readiness.diskFreeBytes = cache->diskFreeBytes;
  }
  return vwb::planTraining(hardware, fingerprint, readiness, constraints,
                           [this](const HardwareInventory& h, const DatasetFingerprint& f, const UserConstraints& c) {
                             return makePlan(h, f, c);
                           });
#else
  missing("plan", "planning");
#endif
}

void Engine::predictIntoFolder(VolumePredictor& predictor, const std::vector<PredictionInput>& volumes,
                               const std::string& dir, const std::function<void(const std::string&, VolumeU8)>& onProbability,
                               ProgressSink* progress, const CancelToken* cancel) {
#if VWB_HAVE_INFER
  if (volumes.empty()) throw Error("no volumes to predict");
  VolumeShareProgress share(progress, int64_t(volumes.size()));
  FolderPrediction request;
  request.out = dir;
  request.layout = PredictionLayout::Probabilities;
  for (const PredictionInput& v : volumes) {
    request.ids.push_back(v.id);
    request.imagePaths.push_back(v.imagePath);
  }
  request.onVolume = [&share](size_t i, size_t, const std::string& id) { share.startVolume(int64_t(i), id); };
  request.onProbability = onProbability;
  predictFolder([&predictor](const VolumeU8& image, ProgressSink* p, const CancelToken* c) { return predictor.predict(image, p, c); },
                request, &share, cancel);
  share.finish();
#else
  missing("infer", "predicting into a folder");
#endif
}

}  // namespace vwb::ui
