#include "engine/train/detail/DeviceSupport.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "engine/core/Error.h"

#ifdef VWB_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace vwb {

torch::Device parseDevice(const std::string& name) {
  if (name == "cpu" || name.rfind("cpu:", 0) == 0) return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw Error("device " + name + ": this build of LibTorch has no CUDA or no GPU is visible");
    int index = name == "cuda" ? 0 : std::stoi(name.substr(5));
    if (index < 0 || index >= static_cast<int>(torch::cuda::device_count()))
      throw Error("device " + name + ": only " + std::to_string(torch::cuda::device_count()) +
                  " CUDA device(s) visible");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("unknown device '" + name + "' (expected cpu or cuda:N)");
}

namespace {
int64_t processRssBytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}
}  // namespace

DeviceMemory probeDeviceMemory(const torch::Device& device, const std::string& label) {
  DeviceMemory m;
  m.device = label;
#ifdef VWB_WITH_CUDA
  if (device.is_cuda()) {
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    // Index 0 is StatType::AGGREGATE; the enum's namespace moved in LibTorch 2.5, the index did not.
    const size_t agg = 0;
    m.allocatedBytes = stats.allocated_bytes[agg].current;
    m.reservedBytes = stats.reserved_bytes[agg].current;
    m.peakBytes = stats.allocated_bytes[agg].peak;
    size_t freeB = 0, totalB = 0;
    c10::cuda::CUDAGuard guard(device.index());
    if (cudaMemGetInfo(&freeB, &totalB) == cudaSuccess) {
      m.freeBytes = static_cast<int64_t>(freeB);
      m.totalBytes = static_cast<int64_t>(totalB);
    }
    return m;
  }
#endif
  (void)device;
  m.allocatedBytes = processRssBytes();
  m.totalBytes = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  m.freeBytes = static_cast<int64_t>(sysconf(_SC_AVPHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  return m;
}

void resetPeakMemory(const torch::Device& device) {
#ifdef VWB_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
  (void)device;
}

bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return true;
  const char* what = e.what();
  return std::strstr(what, "out of memory") || std::strstr(what, "can't allocate memory") ||
         std::strstr(what, "Out of memory");
}

void releaseCachedMemory(const torch::Device& device) {
#ifdef VWB_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  (void)device;
}

void throwSimulatedOutOfMemory(const std::string& where) {
  TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory (simulated at ", where, ")");
  throw Error("unreachable");
}

void adoptOptimizerState(torch::optim::AdamW& optimizer, const torch::Device& device) {
  auto own = [&](const torch::Tensor& t) {
    return t.defined() ? t.to(t.options().device(device), /*non_blocking=*/false, /*copy=*/true) : t;
  };
  for (auto& entry : optimizer.state()) {
    auto& s = static_cast<torch::optim::AdamWParamState&>(*entry.second);
    s.exp_avg(own(s.exp_avg()));
    s.exp_avg_sq(own(s.exp_avg_sq()));
    s.max_exp_avg_sq(own(s.max_exp_avg_sq()));
  }
}

}  // namespace vwb
