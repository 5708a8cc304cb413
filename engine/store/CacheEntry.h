#pragma once
// One volume's index entry in the cache (<cache>/v1/<role>/<id>.json): the source files' size
// and modification time it was built from, the decode verdict, and the statistics that the
// scanner's label check, the fingerprint and the planner read instead of decoding TIFFs.
#include <array>
#include <cstdint>
#include <string>

#include "engine/core/Volume.h"

namespace vwb::store {

// The folder <cache>/v<N>: 2 packs labels 2 bits per voxel. Preprocessing removes the folders
// of older formats (a new build reads only its own).
inline constexpr int kCacheFormatVersion = 2;

struct FileStamp {
  int64_t size = -1, mtimeNs = 0;  // size -1: missing
  bool operator==(const FileStamp& o) const { return size == o.size && mtimeNs == o.mtimeNs; }
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
  static FileStamp of(const std::string& path);
};

using Histogram256 = std::array<int64_t, 256>;

struct CacheEntry {
  int format = kCacheFormatVersion;
  std::string id, role;        // role: "train" or "test"
  FileStamp image, label;      // label.size -1: no label
  int64_t edge = 64;           // chunk edge
  Shape3 shape;
  bool decoded = false;        // every strip/tile of the image (and label) decoded
  std::string problem;         // why not (names the file), or a shape mismatch
  Histogram256 imageHistogram{}, labelHistogram{};
  std::string dataFile;        // chunk file name beside the entry; empty: verdict and statistics only
  int64_t dataBytes = 0;

  std::string toJson() const;
  static CacheEntry fromJson(const std::string& json);  // throws vwb::Error
};

}  // namespace vwb::store
