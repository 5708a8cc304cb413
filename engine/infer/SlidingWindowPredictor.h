#pragma once
// Sliding-window prediction, independent of any network: a TileModel turns a batch of patches
// into one foreground logit per voxel; this class places the windows, applies test-time
// augmentation, runs the models (one worker thread per model, e.g. per device, pulling batches
// from a shared queue) and blends the results with Gaussian importance weights:
//   p(v) = sum_windows w(v) * value(v) / sum_windows w(v).
//
// TTA averaging happens in probability space by default (each variant's sigmoid is averaged):
// one over-confident variant cannot swamp the others as it can with logits. Logit space
// (average logits, one sigmoid at the end) is available; there the Gaussian blend is of logits too.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/infer/Predictor.h"

namespace vwb {

enum class TtaAverage { Probability, Logit };

struct SlidingWindowOptions {
  double overlap = 0.5;
  Tta tta = Tta::None;
  TtaAverage average = TtaAverage::Probability;
  int batch = 2;  // patches per model call
};

// patches: `count` patch-sized float buffers back to back (z-major); logits: same layout, written.
using TileModel = std::function<void(const float* patches, int64_t count, float* logits)>;

class SlidingWindowPredictor {
 public:
  SlidingWindowPredictor(Shape3 patch, SlidingWindowOptions options);  // throws vwb::Error on bad options

  // Foreground probability in [0, 1] for every voxel of `image` (normalized intensities). A volume
  // smaller than the patch is padded with 0 (the normalized mean) and cropped back.
  VolumeF32 predict(const VolumeF32& image, const std::vector<TileModel>& models,
                    ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr) const;

  // Model evaluations (windows x TTA variants) a volume of this shape needs.
  int64_t evaluations(Shape3 image) const;

 private:
  Shape3 patch_;
  SlidingWindowOptions options_;
};

}  // namespace vwb
