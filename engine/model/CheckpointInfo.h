#pragma once
// What a checkpoint holds besides tensors (torch-free: the GUI and `vwb predict` show it).
// Checkpoint layout (a LibTorch archive): "format" = "vwb-checkpoint/1", "meta" = a JSON string
// (model config, patch, normalization, step, epoch, the full training config and trainer state),
// "model" = the network's parameters and buffers, "optimizer" = AdamW state (training only),
// "checksum" = "crc32:<hex>" over every other entry (names, dtypes, shapes, bytes, values), checked
// on every load. Checkpoints written before checksums existed have none: they load with
// `checksummed` false (the caller warns), since refusing them would strand every earlier run; the
// architecture check (every tensor's name and shape against the recorded model) applies to all.
#include <cstdint>
#include <string>

#include "engine/model/ModelConfig.h"
#include "engine/model/Normalization.h"

namespace vwb {

inline constexpr const char* kCheckpointFormat = "vwb-checkpoint/1";

struct CheckpointInfo {
  ModelConfig model;
  int64_t patch = 0;
  Normalization normalization;
  int64_t step = 0, epoch = 0;
  std::string metaJson;  // the whole meta record, including the training config
  bool checksummed = false;  // the file carried a content checksum, and it matched

  // Builds metaJson from the fields above plus `extra` (a JSON object as text, may be empty).
  std::string composeMeta(const std::string& extra) const;
  static CheckpointInfo fromMeta(const std::string& metaJson);  // throws vwb::Error
};

// Reads only the meta record. Throws vwb::Error naming the file when it is not a vwb checkpoint.
CheckpointInfo readCheckpointInfo(const std::string& path);

// A digest of a checkpoint's weights: CRC-32 over the bytes of every parameter and buffer of its
// network, in the network's order, as stored. Equal digests: bit-identical weights (what a resume
// check compares; the Kaggle kit's notebooks print it). Throws vwb::Error naming the file.
struct CheckpointWeightsDigest {
  uint32_t crc32 = 0;
  int64_t tensors = 0;
  CheckpointInfo info;
};
CheckpointWeightsDigest checkpointWeightsDigest(const std::string& path);

}  // namespace vwb
