// Opening the labelled training volumes of a dataset folder (torch-free): through the
// preprocessed chunk cache (preprocessed first where missing or stale), or decoded into memory.
#include <unistd.h>

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/data/DatasetPreprocessing.h"
#include "engine/train/TrainingData.h"

#ifdef VWB_HAVE_DATASET_IO
#include "engine/data/Dataset.h"
#include "engine/io/TiffVolume.h"
#include "engine/train/CachedTrainingSource.h"
#endif

namespace vwb {

#ifdef VWB_HAVE_DATASET_IO
namespace {
std::string mib(int64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Scans and checks the dataset; dataset errors throw with the scanner's report.
Dataset checkedDataset(const TrainConfig& config, LogSink& log, ProgressSink* progress, const CancelToken* cancel,
                       bool labelValues) {
  if (config.run.dataDir.empty()) throw Error("no dataset given (--data)");
  Dataset dataset = scanDataset(config.run.dataDir, labelValues, progress, cancel);
  if (!dataset.report.ok())
    throw Error(config.run.dataDir + ": the dataset has errors, training not started:\n" + dataset.report.format());
  return dataset;
}

void logWarnings(const Dataset& dataset, LogSink& log) {
  for (const auto& w : dataset.report.warnings) log.log(LogLevel::Warning, w);
}
}  // namespace
#endif

int64_t defaultChunkCacheBytes() {
  // An eighth of RAM, within [256 MiB, 2 GiB]: a 128^3 patch touches at most 27 chunks of each
  // channel (13.5 MiB), so even the floor keeps every loader thread's working set.
  int64_t ram = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  return std::clamp<int64_t>(ram / 8, int64_t(256) << 20, int64_t(2) << 30);
}

std::unique_ptr<TrainingSource> openTrainingSource(const TrainConfig& config, LogSink& log, ProgressSink* progress,
                                                   const CancelToken* cancel) {
#ifdef VWB_HAVE_DATASET_IO
  // Headers only here; the preprocessing below decodes every volume once and checks the labels.
  Dataset dataset = checkedDataset(config, log, progress, cancel, false);
  std::string dir;
  store::PreprocessReport report =
      preprocessDataset(dataset, config.data.cacheDir, false, 0, &log, progress, cancel, &dir);
  if (report.processed > 0)
    log.log(LogLevel::Info, "preprocessed " + std::to_string(report.processed) + " volume(s) into " + dir + " in " +
                                std::to_string(int(report.seconds)) + " s (" + mib(report.bytesWritten) + ")");
  logWarnings(dataset, log);
  if (!dataset.report.ok())
    throw Error(config.run.dataDir + ": the dataset has errors, training not started:\n" + dataset.report.format());
  store::DatasetCache cache(dir);
  std::vector<CachedVolumeRef> refs;
  for (const auto& e : dataset.train) {
    if (e.labelPath.empty()) continue;
    auto entry = cache.fresh({e.id, "train", e.imagePath, e.labelPath});
    if (!entry || entry->dataFile.empty())
      throw Error(e.imagePath + ": not in the cache " + dir + " after preprocessing (changed meanwhile?)");
    refs.push_back({e.id, e.scrollId, cache.dataPath("train", e.id), entry->imageHistogram});
  }
  if (refs.empty()) throw Error(config.run.dataDir + ": no training volume has a label");
  const int64_t budget = config.data.chunkCacheMb > 0 ? int64_t(config.data.chunkCacheMb) << 20 : defaultChunkCacheBytes();
  log.log(LogLevel::Info, "reading " + std::to_string(refs.size()) + " volumes from the cache " + dir +
                              " through a " + mib(budget) + " decoded-chunk cache");
  return std::make_unique<CachedTrainingSource>(refs, budget);
#else
  (void)log, (void)progress, (void)cancel;
  throw Error(config.run.dataDir + ": this build has no dataset reader (engine/io, engine/data)");
#endif
}

std::vector<TrainingVolume> loadTrainingVolumes(const TrainConfig& config, LogSink& log,
                                                ProgressSink* progress, const CancelToken* cancel) {
#ifdef VWB_HAVE_DATASET_IO
  Dataset dataset = checkedDataset(config, log, progress, cancel, true);
  logWarnings(dataset, log);
  std::vector<const VolumeEntry*> labelled;
  for (const auto& e : dataset.train)
    if (!e.labelPath.empty()) labelled.push_back(&e);
  if (labelled.empty()) throw Error(config.run.dataDir + ": no training volume has a label");
  std::vector<TrainingVolume> volumes;
  volumes.reserve(labelled.size());
  int64_t done = 0;
  for (const auto* e : labelled) {
    if (cancel) cancel->throwIfCancelled();
    TrainingVolume v;
    v.id = e->id;
    v.scrollId = e->scrollId;
    v.image = readVolumeU8(e->imagePath);
    v.label = readVolumeU8(e->labelPath);
    if (v.image.shape != v.label.shape)
      throw fileError(e->labelPath, "label is " + v.label.shape.str() + ", image is " +
                                        v.image.shape.str());
    volumes.push_back(std::move(v));
    if (progress) progress->progress("reading volumes", ++done, static_cast<int64_t>(labelled.size()));
  }
  return volumes;
#else
  (void)log, (void)progress, (void)cancel;
  throw Error(config.run.dataDir + ": this build has no dataset reader (engine/io, engine/data)");
#endif
}

}  // namespace vwb
