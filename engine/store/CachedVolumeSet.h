#pragma once
// Patch reads from cached volumes: a box decodes only the chunks it touches, through one shared
// ChunkCache (all loader threads and local ranks use the same set). Thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "engine/store/ChunkCache.h"
#include "engine/store/ChunkedVolumeFile.h"

namespace vwb::store {

class CachedVolumeSet {
 public:
  CachedVolumeSet(std::vector<std::unique_ptr<ChunkedVolumeFile>> files, int64_t cacheBudgetBytes);

  size_t size() const { return files_.size(); }
  const ChunkedVolumeFile& file(size_t v) const { return *files_[v]; }
  ChunkCache& cache() const { return cache_; }

  // Copies the box [z0, z0+d) x [y0, y0+h) x [x0, x0+w) of volume v, z-major. Voxels outside the
  // volume: image 0, label 2 (ignored). image or label may be null (that channel is not read).
  void readBox(size_t v, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w, uint8_t* image,
               uint8_t* label) const;

 private:
  std::vector<std::unique_ptr<ChunkedVolumeFile>> files_;
  mutable ChunkCache cache_;
};

}  // namespace vwb::store
