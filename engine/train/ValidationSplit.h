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
// volumes it trained on from those it held out: {"train": [ids], "validation": [ids],
// "reason": "..."}. ids are the volume ids in the order the split's indices refer to.
inline constexpr const char* kSplitFileName = RunFolder::kSplitFile;
std::string splitToJson(const std::vector<std::string>& ids, const ValidationSplit& split);

}  // namespace vwb
