#include "engine/train/torch/DeviceSupport.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"

#ifdef VWB_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace vwb {

torch::Device parseDevice(const std::string& name) {
  const DeviceName d = parseDeviceName(name);
  if (!d.cuda) return torch::Device(torch::kCPU);
  requireVisibleGpu(name, d, torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0);
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index));
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
    m.busy = deviceBusyShare(device);
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

// ---------------------------------------------------------------------------------------------
// Tensor memory per CPU rank

// LibTorch's CPU allocator calls reportMemoryUsage for every allocation (+bytes) and free
// (-bytes) while a reporter with memoryProfilingEnabled() is the calling thread's PROFILER_STATE.
// The totals' type changed from int64_t (1.13) to size_t (2.x): both signatures are declared,
// the one that matches the installed LibTorch overrides the pure virtual, the other is unused.
struct CpuRankMemory::Reporter : c10::MemoryReportingInfoBase {
  std::atomic<int64_t> current{0}, peak{0};
  void add(int64_t bytes, const c10::Device& device) {
    if (!device.is_cpu()) return;
    const int64_t now = std::max<int64_t>(0, current.fetch_add(bytes) + bytes);
    if (now == 0) current.store(0);
    int64_t seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
  void reportMemoryUsage(void*, int64_t bytes, int64_t, int64_t, c10::Device device) { add(bytes, device); }
  void reportMemoryUsage(void*, int64_t bytes, size_t, size_t, c10::Device device) { add(bytes, device); }
  bool memoryProfilingEnabled() const override { return true; }
};

struct CpuRankMemory::Scope::Guard {
  explicit Guard(std::shared_ptr<c10::DebugInfoBase> info)
      : guard(c10::DebugInfoKind::PROFILER_STATE, std::move(info)) {}
  c10::DebugInfoGuard guard;
};

CpuRankMemory::CpuRankMemory() : reporter_(std::make_shared<Reporter>()) {}
CpuRankMemory::~CpuRankMemory() = default;
CpuRankMemory::Scope::Scope(CpuRankMemory& meter) : guard_(std::make_unique<Guard>(meter.reporter_)) {}
CpuRankMemory::Scope::~Scope() = default;
int64_t CpuRankMemory::currentBytes() const { return std::max<int64_t>(0, reporter_->current.load()); }
int64_t CpuRankMemory::peakBytes() const { return reporter_->peak.load(); }

DeviceMemory CpuRankMemory::snapshot(const std::string& label) const {
  DeviceMemory m;
  m.device = label;
  m.allocatedBytes = currentBytes();
  m.peakBytes = peakBytes();
  m.totalBytes = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  m.freeBytes = static_cast<int64_t>(sysconf(_SC_AVPHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  return m;
}

// ---------------------------------------------------------------------------------------------
// GPU busy share through NVML (the driver's library, opened at run time)

namespace {
struct NvmlUtilization {
  unsigned gpu, memory;
};
struct Nvml {
  using Init = int (*)();
  using ByPci = int (*)(const char*, void**);
  using Utilization = int (*)(void*, NvmlUtilization*);
  ByPci byPci = nullptr;
  Utilization utilization = nullptr;
  bool ok = false;
  Nvml() {
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    auto init = reinterpret_cast<Init>(dlsym(lib, "nvmlInit_v2"));
    byPci = reinterpret_cast<ByPci>(dlsym(lib, "nvmlDeviceGetHandleByPciBusId_v2"));
    utilization = reinterpret_cast<Utilization>(dlsym(lib, "nvmlDeviceGetUtilizationRates"));
    ok = init && byPci && utilization && init() == 0;  // NVML_SUCCESS
  }
};
const Nvml& nvml() {
  static const Nvml instance;
  return instance;
}
}  // namespace

double deviceBusyShare(const torch::Device& device) {
#ifdef VWB_WITH_CUDA
  if (!device.is_cuda() || !nvml().ok) return -1;
  // NVML numbers devices its own way (CUDA_VISIBLE_DEVICES renumbers CUDA's): by PCI bus id.
  char bus[32] = {0};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, device.index()) != cudaSuccess) return -1;
  void* handle = nullptr;
  if (nvml().byPci(bus, &handle) != 0) return -1;
  NvmlUtilization u{};
  if (nvml().utilization(handle, &u) != 0) return -1;
  return u.gpu / 100.0;
#else
  (void)device;
  (void)&nvml;
  return -1;
#endif
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
