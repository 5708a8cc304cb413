#pragma once
// The device names of --device, --devices and config.json's "devices": "cpu", "cpu:N", "cuda",
// "cuda:I". One torch-free parser, so the planner, inference and training read them alike without
// linking each other; each turns the result into what it needs (a torch::Device, a GPU index of
// the planner's inventory). What "cpu:N" means is the caller's: N CPU ranks for ddp and dp, the
// CPU for one device.
#include <string>

namespace vwb {

struct DeviceName {
  bool cuda = false;
  int index = -1;  // cuda:I -> I ("cuda" -> 0); cpu:N -> N; "cpu" -> -1 (no number given)
};

// Throws vwb::Error "device 'NAME': expected cpu, cpu:N or cuda:I" for anything else (a number
// must be all digits).
DeviceName parseDeviceName(const std::string& name);

// For a CUDA name: throws vwb::Error naming it when `visibleGpus` (what this process sees) has no
// GPU of its index. A CPU name passes.
void requireVisibleGpu(const std::string& name, const DeviceName& device, int visibleGpus);

}  // namespace vwb
