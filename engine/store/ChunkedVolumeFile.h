#pragma once
#include <sys/stat.h>
// One volume's cache file: a header, a chunk table (offset, sizes, label-1 count per chunk: the
// foreground chunk index), a sample of label-1 voxel positions (for foreground oversampling
// without reading labels) and the chunks, image then label, each an LZ4 frame with a checksum;
// labels whose values are all <= 3 (every valid label) are packed 2 bits per voxel.
// The header and table carry a CRC-32 of their own, so a damaged table is found at open.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/store/ChunkGrid.h"

namespace vwb::store {

namespace detail {
class AlignedBuffer;
}

inline constexpr int kChunkFileVersion = 2;  // 2: 2-bit packed labels
inline constexpr int64_t kMaxForegroundSamples = 4096;  // per volume, spread by a stride

struct ChunkRecord {
  uint64_t offset = 0;        // image frame; the label frame follows it
  uint32_t imageBytes = 0, labelBytes = 0;
  uint32_t foreground = 0;    // label-1 voxels in the chunk
  uint32_t reserved = 0;
};

// Encodes image (and label, when not null) and writes the file atomically (temp, rename; no fsync:
// the cache syncs once when preprocessing ends, and a file a power loss cut short is caught by
// its size and checksums). `labelOnes` and `maxLabel`, the label's count of 1 voxels and its
// largest value when the caller knows them (its histogram), save a pass each. `buffer`, when given,
// holds the file while it is encoded and is reused from call to call (no fresh pages to map and
// zero for each volume). The file is written with O_DIRECT where the file system allows it
// (detail::writeFileDirect). Returns the file's size.
int64_t writeChunkedVolume(const std::string& path, const VolumeU8& image, const VolumeU8* label,
                           int64_t edge, int64_t labelOnes = -1, int maxLabel = -1,
                           detail::AlignedBuffer* buffer = nullptr);

// Reads the header, table and foreground sample; chunks are read on demand (thread-safe).
// A file replaced while it is read (`vwb preprocess` renames a new one over it during a
// training) is noticed by its identity (device, inode) at each chunk read: its table is read
// again and the chunk read with it, never at the old file's offsets. A replacement of another
// shape or label kind is an error that says so. Tables of replaced files stay alive (what
// chunks() and foregroundSample() returned remains valid).
class ChunkedVolumeFile {
 public:
  // `name` is how errors name the volume ("train volume 12").
  ChunkedVolumeFile(std::string path, std::string name);
  ~ChunkedVolumeFile();

  const ChunkGrid& grid() const { return layout()->grid; }
  bool hasLabel() const { return layout()->hasLabel; }
  const std::vector<ChunkRecord>& chunks() const { return layout()->chunks; }
  const std::vector<int64_t>& foregroundSample() const { return layout()->foreground; }
  const std::string& path() const { return path_; }
  int reloads() const;  // times a replaced file's table was read again

  // Decodes chunk i (channel 0 image, 1 label) into `out` (resized to the chunk's voxels).
  // Throws vwb::Error naming the file, the volume, the chunk position and what is wrong.
  void readChunk(int64_t i, int channel, std::vector<uint8_t>& out) const;

 private:
  struct Layout {
    ChunkGrid grid;
    bool hasLabel = false, packedLabel = false;
    std::vector<ChunkRecord> chunks;
    std::vector<int64_t> foreground;
    int64_t fileBytes = 0;
    // Which file the table belongs to. An inode number is reused as soon as a replaced file is
    // gone, so the size and the change time (ns) go with it: a new file at a reused inode has
    // another ctime.
    uint64_t device = 0, inode = 0;
    int64_t ctimeNs = 0;
    bool sameFile(const struct stat& st) const;
  };
  std::shared_ptr<const Layout> load(int fd) const;  // header, table, sample of the open file
  std::shared_ptr<const Layout> layout() const;

  std::string path_, name_;
  mutable std::mutex mutex_;  // current_ and retired_
  mutable std::shared_ptr<const Layout> current_;
  mutable std::vector<std::shared_ptr<const Layout>> retired_;
};

}  // namespace vwb::store
