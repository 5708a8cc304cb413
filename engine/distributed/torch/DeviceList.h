#pragma once
// The local devices a multi-device strategy drives: "cpu:N" -> N CPU ranks, "cpu" -> one,
// ["cuda:0", "cuda:1", ...] -> those GPUs. Labels name them in logs and telemetry.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"

namespace vwb::dist {

struct LocalDevice {
  torch::Device device{torch::kCPU};
  std::string label;  // "cpu:1", "cuda:0"
};

inline std::vector<LocalDevice> parseLocalDevices(const std::vector<std::string>& names) {
  std::vector<LocalDevice> out;
  for (const auto& n : names) {
    const DeviceName d = parseDeviceName(n);  // engine/core/DeviceName.h
    if (!d.cuda) {
      if (d.index == 0) throw Error("device '" + n + "': expected cpu:N with N >= 1");
      const int count = d.index < 0 ? 1 : d.index;  // "cpu": one rank
      for (int i = 0; i < count; ++i)
        out.push_back({torch::Device(torch::kCPU), "cpu:" + std::to_string(i)});
    } else {
      requireVisibleGpu(n, d, torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0);
      out.push_back({torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index)), n});
    }
  }
  if (out.empty()) throw Error("no devices given");
  bool cpu = out.front().device.is_cpu();
  for (const auto& d : out)
    if (d.device.is_cpu() != cpu) throw Error("CPU ranks and CUDA devices cannot be mixed");
  return out;
}

}  // namespace vwb::dist
