#pragma once
// What the machine has: CUDA devices (when LibTorch has CUDA), CPU cores and RAM.
#include <cstdint>
#include <string>
#include <vector>

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
  int nodes = 1;  // machines taking part (multi-node plans)
  bool assumed = false;  // built from --assume-gpus, not detected

  std::string toJson() const;
};

HardwareInventory detectHardware();
// "2x16GB", "8x80GB:sm80", "1x24GB" -> an assumed inventory (CPU/RAM from this machine).
HardwareInventory assumeGpus(const std::string& spec);

}  // namespace vwb
