// Loading the labelled training volumes of a dataset folder into memory (torch-free).
#include <unistd.h>

#include "engine/core/Error.h"
#include "engine/train/Trainer.h"

#ifdef VWB_HAVE_DATASET_IO
#include "engine/data/Dataset.h"
#include "engine/io/TiffVolume.h"
#endif

namespace vwb {

#ifdef VWB_HAVE_DATASET_IO
namespace {
std::string gib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}
}  // namespace
#endif

std::vector<TrainingVolume> loadTrainingVolumes(const TrainConfig& config, LogSink& log,
                                                ProgressSink* progress, const CancelToken* cancel) {
#ifdef VWB_HAVE_DATASET_IO
  if (config.dataDir.empty()) throw Error("no dataset given (--data)");
  Dataset dataset = scanDataset(config.dataDir, true, progress, cancel);
  for (const auto& w : dataset.report.warnings) log.log(LogLevel::Warning, w);
  if (!dataset.report.ok())
    throw Error(config.dataDir + ": the dataset has errors, training not started:\n" +
                dataset.report.format());
  std::vector<const VolumeEntry*> labelled;
  int64_t bytes = 0;
  for (const auto& e : dataset.train)
    if (!e.labelPath.empty()) {
      labelled.push_back(&e);
      bytes += 2 * e.shape.voxels();  // uint8 image + uint8 label
    }
  if (labelled.empty()) throw Error(config.dataDir + ": no training volume has a label");
  int64_t ram = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  int64_t cap = config.memoryCapBytes > 0 ? config.memoryCapBytes : ram / 10 * 8;
  if (bytes > cap)
    throw Error(config.dataDir + ": the " + std::to_string(labelled.size()) +
                " labelled volumes need " + gib(bytes) + " decoded, more than the memory cap of " +
                gib(cap) + " (" + (config.memoryCapBytes > 0 ? "memory_cap_bytes" : "80% of RAM") +
                "): train on a subset or on a machine with more memory");
  log.log(LogLevel::Info, "decoding " + std::to_string(labelled.size()) + " volumes (" + gib(bytes) +
                              ") into memory");
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
  throw Error(config.dataDir + ": this build has no dataset reader (engine/io, engine/data)");
#endif
}

}  // namespace vwb
