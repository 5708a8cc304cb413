#pragma once
// Number formatting shared by the planner's reason lines and JSON.
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace vwb::plan_detail {

constexpr int64_t kGiB = int64_t(1) << 30;
constexpr int64_t kMiB = int64_t(1) << 20;

inline std::string gib(int64_t bytes) { return fmt::format("{:.1f} GiB", double(bytes) / kGiB); }
inline std::string mib(int64_t bytes) { return fmt::format("{:.0f} MiB", double(bytes) / kMiB); }
// MiB below 1 GiB (a demo's cache is not "0.0 GiB"), GiB above.
inline std::string size(int64_t bytes) { return bytes < int64_t(kGiB) ? mib(bytes) : gib(bytes); }
// 5308416 -> "5.3 M", 1310720000 -> "1.31 G".
inline std::string count(int64_t n) {
  return n >= 1000000000 ? fmt::format("{:.2f} G", double(n) / 1e9)
         : n >= 1000000  ? fmt::format("{:.1f} M", double(n) / 1e6)
                         : fmt::format("{}", n);
}

}  // namespace vwb::plan_detail
