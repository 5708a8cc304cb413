#pragma once
// The local devices a multi-device strategy drives: "cpu:N" -> N CPU ranks, "cpu" -> one,
// ["cuda:0", "cuda:1", ...] -> those GPUs. Labels name them in logs and telemetry.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/core/Error.h"

namespace vwb::dist {

struct LocalDevice {
  torch::Device device{torch::kCPU};
  std::string label;  // "cpu:1", "cuda:0"
};

inline std::vector<LocalDevice> parseLocalDevices(const std::vector<std::string>& names) {
  std::vector<LocalDevice> out;
  for (const auto& n : names) {
    if (n == "cpu") {
      out.push_back({torch::Device(torch::kCPU), "cpu:0"});
    } else if (n.rfind("cpu:", 0) == 0) {
      int count = 0;
      try {
        count = std::stoi(n.substr(4));
      } catch (...) {
      }
      if (count < 1) throw Error("device '" + n + "': expected cpu:N with N >= 1");
      for (int i = 0; i < count; ++i)
        out.push_back({torch::Device(torch::kCPU), "cpu:" + std::to_string(i)});
    } else if (n.rfind("cuda", 0) == 0) {
      torch::Device d(n);  // throws for malformed names
      if (!torch::cuda::is_available() || d.index() >= int(torch::cuda::device_count()))
        throw Error("device '" + n + "': no such CUDA device in this process");
      out.push_back({d, n});
    } else {
      throw Error("device '" + n + "': expected cpu, cpu:N or cuda:I");
    }
  }
  if (out.empty()) throw Error("no devices given");
  bool cpu = out.front().device.is_cpu();
  for (const auto& d : out)
    if (d.device.is_cpu() != cpu) throw Error("CPU ranks and CUDA devices cannot be mixed");
  return out;
}

}  // namespace vwb::dist
