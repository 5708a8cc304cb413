#pragma once
// What a training run's data was, compact enough to keep in every checkpoint: per volume a
// CRC-32 of its id, shape, intensity histogram and label-1 positions (what the source already
// holds: no voxel is read), and one CRC over all. Two copies of a dataset agree; a replaced image
// or label, an added or removed volume do not. A resume compares the two and says what changed;
// the nodes of a multi-node run compare the summary.
#include <string>
#include <vector>

#include "engine/train/TrainingSource.h"

namespace vwb {

struct DataDigest {
  struct Volume {
    std::string id;
    uint32_t crc = 0;
  };
  std::vector<Volume> volumes;  // sorted by id
  uint32_t crc = 0;             // over all of them

  std::string summary() const;  // "12 volume(s), crc32 0a1b2c3d"
  std::string toJson() const;
  static DataDigest fromJson(const std::string& json);  // throws vwb::Error
};

// Of `volumes` (indices into source.volumes()); empty `volumes` = all of them.
DataDigest digestData(const TrainingSource& source, const std::vector<int>& volumes = {});

// "" when equal; else what changed, naming up to a few volumes per kind ("changed: 3, 17; added:
// 41; removed: 8").
std::string describeDataChange(const DataDigest& recorded, const DataDigest& now);

}  // namespace vwb
