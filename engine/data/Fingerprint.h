#pragma once
// A dataset fingerprint for the planner (nnU-Net style): counts, shapes, intensity percentiles,
// label fractions. Written as JSON and cached next to the data (invalidated when files change).
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {
struct Dataset;

struct DatasetFingerprint {
  int trainVolumes = 0, testVolumes = 0, scrolls = 0;
  std::vector<Shape3> shapes;   // distinct shapes seen
  Shape3 minShape, maxShape;    // per axis over all volumes
  double intensityP005 = 0, intensityP50 = 0, intensityP995 = 0;  // percentiles 0.5 / 50 / 99.5
  double intensityMean = 0, intensityStd = 0;
  double fractionBackground = 0, fractionSurface = 0, fractionUnlabeled = 0;  // labels 0 / 1 / 2
  int64_t totalTrainVoxels = 0;

  std::string toJson() const;                          // pretty-printed
  static DatasetFingerprint fromJson(const std::string& json);  // throws vwb::Error
};

DatasetFingerprint computeFingerprint(const Dataset& dataset, ProgressSink* progress = nullptr,
                                      const CancelToken* cancel = nullptr);
// Uses <root>/.vwb/fingerprint.json when it matches the files' sizes and times, else computes
// and writes it (atomically). A read-only dataset folder is not an error: nothing is cached.
DatasetFingerprint loadOrComputeFingerprint(const Dataset& dataset, ProgressSink* progress = nullptr,
                                            const CancelToken* cancel = nullptr);

}  // namespace vwb
