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

}  // namespace vwb::plan_detail
