#pragma once
// This machine's CPU and RAM, read from /proc (shared by detection and assumed inventories).
#include <cstdint>
#include <string>

#include "engine/core/CpuFeatures.h"

namespace vwb::plan_detail {

struct HostInfo {
  int cores = 1;
  int64_t ramBytes = 0;
  bool bf16 = false;
  CpuVectorIsa isa = CpuVectorIsa::Baseline;
  std::string name;
};

HostInfo probeHost();

}  // namespace vwb::plan_detail
