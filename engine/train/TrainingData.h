#pragma once
// Opening the labelled training volumes of a dataset folder (torch-free; TrainingData.cpp).
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"
#include "engine/train/TrainingSource.h"
#include "engine/train/TrainingVolume.h"

namespace vwb {

// Scans config.dataDir, preprocesses what the chunk cache lacks (config.cacheDir, incremental)
// and opens its labelled training volumes through a decoded-chunk cache of config.chunkCacheMb
// (0 = defaultChunkCacheBytes()). Dataset errors (also decode failures and bad label values
// found by preprocessing) throw vwb::Error with the report. Memory does not grow with the dataset.
std::unique_ptr<TrainingSource> openTrainingSource(const TrainConfig& config, LogSink& log,
                                                   ProgressSink* progress = nullptr,
                                                   const CancelToken* cancel = nullptr);
int64_t defaultChunkCacheBytes();  // RAM / 8 within [256 MiB, 2 GiB]

// Scans config.dataDir and decodes its labelled training volumes into memory (small datasets,
// benchmarks). Dataset errors throw vwb::Error with the scanner's report.
std::vector<TrainingVolume> loadTrainingVolumes(const TrainConfig& config, LogSink& log,
                                                ProgressSink* progress = nullptr,
                                                const CancelToken* cancel = nullptr);

}  // namespace vwb
