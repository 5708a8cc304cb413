#pragma once
// Deterministic train/validation split by volume. With several scrolls, whole scrolls are held
// out (no scroll in both sets) when that comes close to the requested fraction; otherwise (one
// scroll, or scrolls too unequal) volumes are split individually. The reason is reported.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/run/RunFolder.h"

namespace vwb {

struct ValidationSplit {
  std::vector<int> train, validation;  // indices into the volume list, ascending
  std::string reason;                  // one line for the log
};

ValidationSplit splitValidation(const std::vector<std::string>& scrollIds, double fraction,
                                uint64_t seed);

// The split as a run folder records it (split.json), so that tools that score a run tell the
// volumes it trained on from those it held out: {"format": "vwb-split/1", "train": [ids],
// "validation": [ids], "reason": "..."}. ids are the volume ids in the order the split's indices
// refer to. One codec: the trainer writes it, the GUI's inspection pages read it.
inline constexpr const char* kSplitFileName = RunFolder::kSplitFile;
inline constexpr const char* kSplitFormat = "vwb-split/1";
std::string splitToJson(const std::vector<std::string>& ids, const ValidationSplit& split);

struct RecordedSplit {
  std::vector<std::string> train, validation;  // volume ids
  std::string reason;
};
// Throws vwb::Error for another format, or a split without its two id lists. Splits written
// before the format tag (no "format") still load.
RecordedSplit splitFromJson(const std::string& json);
// The same from a file; errors name it.
RecordedSplit readSplitFile(const std::string& path);

}  // namespace vwb
