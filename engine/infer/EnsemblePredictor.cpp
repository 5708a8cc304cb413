#include "engine/infer/EnsemblePredictor.h"

#include <chrono>
#include <cmath>

#include "engine/core/Error.h"

namespace vwb {
namespace {

// Model m's tiles as its share of the whole ensemble, so that progress only rises over the
// models (their tile counts differ with their patch sizes).
class ModelShare : public ProgressSink {
 public:
  static constexpr int64_t kSteps = 1000;  // per model
  ModelShare(ProgressSink* outer, int64_t model, int64_t models) : outer_(outer), model_(model), models_(models) {}
  void progress(const std::string& stage, int64_t done, int64_t total) override {
    if (outer_ && total > 0) outer_->progress(stage, model_ * kSteps + done * kSteps / total, models_ * kSteps);
  }

 private:
  ProgressSink* outer_;
  int64_t model_, models_;
};

}  // namespace

EnsemblePredictor::EnsemblePredictor(const std::vector<std::string>& checkpoints,
                                     const std::vector<double>& weights,
                                     const PredictOptions& options) {
  if (checkpoints.empty()) throw Error("no checkpoint given");
  if (!weights.empty() && weights.size() != checkpoints.size())
    throw Error("--weights: " + std::to_string(weights.size()) + " weight(s) for " +
                std::to_string(checkpoints.size()) + " checkpoint(s)");
  double sum = 0;
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    double w = weights.empty() ? 1.0 : weights[i];
    if (!(w > 0) || !std::isfinite(w))
      throw Error("--weights: weight " + std::to_string(w) + " of " + checkpoints[i] +
                  " must be positive");
    weights_.push_back(w);
    sum += w;
  }
  for (auto& w : weights_) w /= sum;
  for (const auto& c : checkpoints) models_.push_back(std::make_unique<Predictor>(c, options));
}

VolumeU8 EnsemblePredictor::predict(const VolumeU8& image, ProgressSink* progress,
                                    const CancelToken* cancel) {
  if (models_.size() == 1) {
    VolumeU8 p = models_[0]->predict(image, progress, cancel);
    last_ = models_[0]->lastTiming();
    return p;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<double> sum(image.data.size(), 0.0);
  last_ = {};
  for (size_t m = 0; m < models_.size(); ++m) {
    ModelShare share(progress, int64_t(m), int64_t(models_.size()));
    const VolumeU8 p = models_[m]->predict(image, progress ? &share : nullptr, cancel);
    if (m == 0) last_.workers = models_[m]->lastTiming().workers;
    last_ += models_[m]->lastTiming();
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += weights_[m] * p.data[i];
  }
  last_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  VolumeU8 out(image.shape);
  for (size_t i = 0; i < sum.size(); ++i)
    out.data[i] = static_cast<uint8_t>(std::lround(std::min(255.0, sum[i])));
  return out;
}

}  // namespace vwb
