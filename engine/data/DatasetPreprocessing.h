#pragma once
// The dataset's side of the preprocessed cache (engine/store): which volumes it holds, and the
// decode verdicts and label checks read back into the scanner's report.
#include <string>
#include <vector>

#include "engine/data/Dataset.h"
#include "engine/store/DatasetCache.h"

namespace vwb {

// Cache specs of the dataset's volumes: labelled training volumes (chunks stored) and, with
// includeTest, test volumes and unlabelled training volumes (decode verdict and statistics only).
std::vector<store::CacheVolumeSpec> cacheSpecs(const Dataset& dataset, bool includeTest);

// Adds to the report every volume whose fresh cache entry says it does not decode, and the label
// check (values outside {0,1,2}: error; no label 1: warning) from the cached label histograms.
// Returns how many of `specs` had no fresh entry (nothing is said about those).
int64_t addCacheVerdicts(Dataset& dataset, const store::DatasetCache& cache,
                         const std::vector<store::CacheVolumeSpec>& specs);

// What the planner needs to know of the cache (UserConstraints::cachedFraction, diskFreeBytes),
// found without creating anything (store::findCache): the share of the labelled training volumes
// with a fresh entry, and the free space where the cache lives (-1: unknown).
struct CacheReadiness {
  double cachedFraction = 0;
  int64_t diskFreeBytes = -1;
};
CacheReadiness cacheReadiness(const Dataset& dataset, const std::string& cacheDir);
// Free space of `dir`, or of its nearest existing parent (a cache not made yet); -1 if unknown.
int64_t freeBytesAt(const std::string& dir);

// Preprocesses what is missing or stale (incremental) and adds the verdicts: what vwb check,
// vwb preprocess and training run. `cacheDir` "" = the default place (store::locateCache).
store::PreprocessReport preprocessDataset(Dataset& dataset, const std::string& cacheDir, bool includeTest,
                                          int jobs, LogSink* log, ProgressSink* progress,
                                          const CancelToken* cancel, std::string* usedDir = nullptr);

}  // namespace vwb
