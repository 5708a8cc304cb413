#pragma once
// Deterministic train/validation split by volume. With several scrolls, whole scrolls are held
// out (no scroll in both sets) when that comes close to the requested fraction; otherwise (one
// scroll, or scrolls too unequal) volumes are split individually. The reason is reported.
#include <cstdint>
#include <string>
#include <vector>

namespace vwb {

struct ValidationSplit {
  std::vector<int> train, validation;  // indices into the volume list, ascending
  std::string reason;                  // one line for the log
};

ValidationSplit splitValidation(const std::vector<std::string>& scrollIds, double fraction,
                                uint64_t seed);

}  // namespace vwb
