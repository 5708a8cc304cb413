#pragma once
// What the monitor shows of each validation (torch-free): one slice of one validation volume,
// RUN/previews/epoch-NNNN.tif with three uint8 pages of the same H x W:
//   page 0  the CT slice as stored (0..255),
//   page 1  the predicted probability x 255 (rounded),
//   page 2  the label slice as stored (0 background, 1 surface, 2 ignored).
// The volume (the run's first validation volume) and the slice (the median z of its foreground
// inside the validated region; with a validation patch set, the window of the set's first patch at
// the median z of its foreground) are the same every epoch, so successive previews show the model
// learn on the same voxels. Written atomically (temp file + rename); the folder keeps the last
// previews_kept (config, default 50) epochs and the best one.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/run/RunFolder.h"

namespace vwb {

inline constexpr const char* kPreviewsFolder = RunFolder::kPreviewsFolder;

struct ValidationPreview {
  std::string volumeId;
  int64_t z = 0;                 // slice index in the volume
  int64_t height = 0, width = 0;
  std::vector<uint8_t> image, probability, label;  // height * width each, row-major
};

// "previews/epoch-0007.tif": relative to the run folder (metrics.jsonl records it so).
std::string previewRelativePath(int64_t epoch);
// The epoch of a preview file name ("epoch-0007.tif" -> 7), or -1 when it is not one.
int64_t previewEpochOf(const std::string& fileName);

// The slice a preview shows: the median z of the label-1 voxels of a d x h x w label box, or the
// middle slice when it has none.
int64_t previewSlice(const uint8_t* label, int64_t d, int64_t h, int64_t w);

// Writes runDir/previews/epoch-NNNN.tif atomically; throws vwb::Error naming the file. Returns its
// size in bytes.
int64_t writeValidationPreview(const std::string& runDir, int64_t epoch, const ValidationPreview& preview);
// Reads one back (the three pages); throws vwb::Error naming the file and the problem.
ValidationPreview readValidationPreview(const std::string& path);

// Removes the previews of all but the `keep` latest epochs, never the one of `keepEpoch` (the best).
// Returns how many files were removed.
int prunePreviews(const std::string& runDir, int keep, int64_t keepEpoch);

}  // namespace vwb
