#pragma once
// Several checkpoints as one predictor (1st place averaged 4 ResEnc models): each runs its own
// sliding window (its own patch size and architecture), and the foreground probabilities are
// averaged with weights normalized to sum 1. Each model's probability is the uint8 p*255 the
// Predictor returns, so the average carries up to 0.5/255 of rounding per model.
#include <memory>
#include <string>
#include <vector>

#include "engine/infer/Predictor.h"

namespace vwb {

class EnsemblePredictor {
 public:
  // weights: empty = equal; else one positive weight per checkpoint. Throws vwb::Error.
  EnsemblePredictor(const std::vector<std::string>& checkpoints, const std::vector<double>& weights,
                    const PredictOptions& options);
  // Progress: each model's tiles as its share of the ensemble (rising over all the models).
  VolumeU8 predict(const VolumeU8& image, ProgressSink* progress = nullptr,
                   const CancelToken* cancel = nullptr);
  size_t size() const { return models_.size(); }
  const std::vector<double>& weights() const { return weights_; }
  const Predictor& model(size_t i) const { return *models_[i]; }
  // The last predict() over every model (evaluations and seconds summed; the ensemble's own
  // averaging counts as outside the network).
  PredictTiming lastTiming() const { return last_; }

 private:
  std::vector<std::unique_ptr<Predictor>> models_;
  PredictTiming last_;
  std::vector<double> weights_;  // normalized
};

}  // namespace vwb
