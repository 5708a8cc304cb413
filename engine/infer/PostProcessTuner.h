#pragma once
// vwb tune: threshold and post-processing searched on validation probabilities (no network
// re-run) for the best mean competition score (engine/metrics/Score.h's scoreVolume, so the
// search follows whatever that score computes). Coordinate search: the threshold over its grid
// first, then each step's setting in pipeline order with the others held, twice round.
// Its result is written as a post-processing record (PostProcessRecord.h), the preset that
// `vwb postprocess` and `vwb predict` read with --preset.
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/infer/PostProcess.h"

namespace vwb {

struct TuneCase {
  std::string id;
  VolumeU8 probability255;  // p * 255
  VolumeU8 label;           // 0/1/2
};

struct TuneGrid {
  std::vector<double> thresholds{0.2, 0.26, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6};
  std::vector<int64_t> minSizes{0, 100, 1000, 10000};
  std::vector<int> closingRadii{0, 1};
  std::vector<int> sheetClosingRadii{0, 1, 2};
  std::vector<bool> plugHoles{false, true};
  std::vector<bool> fillHoles{false, true};
};

struct TuneResult {
  PostProcessOptions best;
  double bestScore = 0;
  double baselineScore = 0;  // threshold 0.5, nothing else
  int evaluations = 0;
};

// Throws vwb::Error for no cases; returns the best so far when cancelled.
TuneResult tunePostProcessing(const std::vector<TuneCase>& cases, const TuneGrid& grid,
                              ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

}  // namespace vwb
