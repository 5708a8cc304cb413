#pragma once
// The preprocessed cache of a dataset (nnU-Net's preprocessed/ stage): per volume, a chunk file
// (ChunkedVolumeFile) and an index entry (CacheEntry) written after it, both atomically, so an
// interrupted run resumes where it stopped. Each entry is keyed by its files' size and mtime:
// adding volumes preprocesses only those, a changed file is redone.
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/store/CacheEntry.h"

namespace vwb::store {

struct CacheVolumeSpec {
  std::string id, role;  // role: "train" (chunks stored) or "test" (verdict and statistics only)
  std::string imagePath, labelPath;  // labelPath may be empty
};

struct CacheLocation {
  std::string dir;
  std::string note;  // non-empty when the default place was not writable and another was used
};
// explicitDir when given; else <datasetRoot>/.vwb/cache; when that cannot be written (read-only
// dataset), $XDG_CACHE_HOME (or ~/.cache)/vesuvius-workbench/<hash of the dataset path>.
CacheLocation locateCache(const std::string& datasetRoot, const std::string& explicitDir = "");
// Where locateCache(datasetRoot) would put the cache, creating nothing (for showing the cache's
// state): the default place when it exists or could be created, else the user cache folder.
CacheLocation findCache(const std::string& datasetRoot);

struct PreprocessOptions {
  int jobs = 0;       // parallel volumes; 0 = defaultPreprocessJobs()
  int64_t edge = 64;  // chunk edge
};

// Workers preprocessing uses by default: one more than the cores, as each also waits on its writes.
int defaultPreprocessJobs();

struct PreprocessReport {
  int64_t volumes = 0, reused = 0, processed = 0, failed = 0;
  int64_t bytesWritten = 0;
  int64_t staleTempFilesRemoved = 0;  // left by a run killed mid-write
  int64_t oldFormatBytesRemoved = 0;  // the folders of older cache formats, removed
  double seconds = 0;
  std::vector<std::string> problems;  // one per volume that failed to decode
  // One per volume the machine failed (full disk, I/O error, permission): no entry is written,
  // so the next run tries it again.
  std::vector<std::string> environmentProblems;
};

// What the cache holds for one volume, judged from its entry and file sizes (no chunk is read).
enum class CacheVolumeState {
  Fresh,    // the entry matches the files: used as it is (its verdict may still say "does not decode")
  Missing,  // no entry: never preprocessed, or interrupted before its entry was written
  Stale,    // an entry for other files (size or mtime changed) or another format or chunk edge
  Damaged,  // an unreadable entry, or a chunk file missing or of the wrong size
};
struct CacheVolumeStatus {
  CacheVolumeState state = CacheVolumeState::Missing;
  std::optional<CacheEntry> entry;  // when Fresh
  std::string reason;               // why Stale or Damaged
};

class DatasetCache {
 public:
  explicit DatasetCache(std::string dir);
  const std::string& dir() const { return dir_; }

  std::string entryPath(const std::string& role, const std::string& id) const;
  std::string dataPath(const std::string& role, const std::string& id) const;

  // The entry when it exists, is of this format and matches the files; nullopt when missing or stale.
  std::optional<CacheEntry> fresh(const CacheVolumeSpec& spec, int64_t edge = 64) const;
  // Fresh, missing, stale or damaged, and why; preprocess() redoes every state but Fresh.
  CacheVolumeStatus status(const CacheVolumeSpec& spec, int64_t edge = 64) const;
  // Bytes of every file the cache holds (all roles of this format).
  int64_t bytesOnDisk() const;
  // How many of `specs` are fresh.
  int64_t freshCount(const std::vector<CacheVolumeSpec>& specs) const;

  // Decodes every missing or stale volume once (parallel across volumes) and writes its files.
  // A volume that does not decode gets an entry with the verdict, never an exception; one the
  // machine failed (EnvironmentError: ENOSPC, EIO, EACCES...) gets no entry and is retried by the
  // next run. Cancelled leaves every finished volume in place.
  PreprocessReport preprocess(const std::vector<CacheVolumeSpec>& specs, const PreprocessOptions& options = {},
                              ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

  // Decodes every chunk of the given (fresh) volumes; one line per damaged chunk (volume, position).
  // `damaged`, when given, receives the indices in `specs` of the volumes with a damaged chunk.
  std::vector<std::string> verify(const std::vector<CacheVolumeSpec>& specs, ProgressSink* progress = nullptr,
                                  const CancelToken* cancel = nullptr, std::vector<size_t>* damaged = nullptr) const;

  // Preprocesses the given volumes again whatever their entries say (what verify found damaged).
  PreprocessReport rebuild(const std::vector<CacheVolumeSpec>& specs, const PreprocessOptions& options = {},
                           ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

 private:
  std::string dir_;
};

// Disk the chunk cache needs for a volume of `voxels` (image + label), from the measured ratio.
int64_t estimateCacheBytes(int64_t imageVoxels, bool withLabel);

}  // namespace vwb::store
