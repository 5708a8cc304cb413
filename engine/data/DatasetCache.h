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

// Preprocesses what is missing or stale (incremental) and adds the verdicts: what vwb check,
// vwb preprocess and training run. `cacheDir` "" = the default place (store::locateCache).
store::PreprocessReport preprocessDataset(Dataset& dataset, const std::string& cacheDir, bool includeTest,
                                          int jobs, LogSink* log, ProgressSink* progress,
                                          const CancelToken* cancel, std::string* usedDir = nullptr);

}  // namespace vwb
