#pragma once
// What the machine has: CUDA devices (when LibTorch has CUDA), CPU cores and RAM.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/CpuFeatures.h"

namespace vwb {

struct GpuInfo {
  int index = 0;
  std::string name;
  int64_t totalBytes = 0, freeBytes = 0;
  int computeMajor = 0, computeMinor = 0;
  bool peerAccessToAll = false;
};

struct HardwareInventory {
  std::vector<GpuInfo> gpus;
  int cpuCores = 1;
  int64_t ramBytes = 0;
  bool cpuBf16 = false;  // native bf16 (avx512_bf16 / AMX): CPU bf16 autocast is worth offering
  CpuVectorIsa cpuIsa = CpuVectorIsa::Avx2;  // what oneDNN's kernels can use
  std::string cpuName;
  int nodes = 1;  // machines taking part (multi-node plans)
  bool assumed = false;  // built from --assume-gpus, not detected

  std::string toJson() const;
  std::string summary() const;  // "2x Tesla T4 (15.0 GiB, sm75); 4 CPU cores (AVX2); 31.3 GiB RAM"
};

HardwareInventory detectHardware();
// "2x16GB", "8x80GB:sm80", "1x24GB", "2xT4", "0" -> an assumed inventory (CPU/RAM from this
// machine). Without ":smXY" a size-only GPU is taken as sm75 (T4-class). Throws vwb::Error.
HardwareInventory assumeGpus(const std::string& spec);
HardwareInventory assumeGpus(const std::string& spec, const HardwareInventory& host);

}  // namespace vwb
