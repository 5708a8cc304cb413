// detectHardware(): CPU/RAM from /proc; CUDA devices through LibTorch and the CUDA runtime when
// the engine is built against a CUDA LibTorch (VWB_WITH_CUDA). Debian's LibTorch is CPU-only, so
// this file then needs no torch at all.
#include "engine/plan/HardwareInventory.h"
#include "engine/plan/detail/HostProbe.h"

#ifdef VWB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime_api.h>
#include <torch/cuda.h>
#endif

namespace vwb {

namespace {

#ifdef VWB_WITH_CUDA
std::vector<GpuInfo> detectCudaDevices() {
  std::vector<GpuInfo> gpus;
  if (!torch::cuda::is_available()) return gpus;
  int n = int(torch::cuda::device_count());
  for (int i = 0; i < n; ++i) {
    const cudaDeviceProp* p = at::cuda::getDeviceProperties(i);
    GpuInfo g;
    g.index = i;
    g.name = p->name;
    g.computeMajor = p->major;
    g.computeMinor = p->minor;
    size_t freeB = 0, totalB = 0;
    int previous = 0;
    cudaGetDevice(&previous);
    if (cudaSetDevice(i) == cudaSuccess && cudaMemGetInfo(&freeB, &totalB) == cudaSuccess) {
      g.freeBytes = int64_t(freeB);
      g.totalBytes = int64_t(totalB);
    } else {
      g.totalBytes = int64_t(p->totalGlobalMem);
      g.freeBytes = g.totalBytes;
    }
    cudaSetDevice(previous);
    g.peerAccessToAll = true;
    for (int j = 0; j < n; ++j) {
      int can = 0;
      if (j != i && (cudaDeviceCanAccessPeer(&can, i, j) != cudaSuccess || !can))
        g.peerAccessToAll = false;
    }
    gpus.push_back(g);
  }
  return gpus;
}
#endif

}  // namespace

HardwareInventory detectHardware() {
  HardwareInventory inv;
  auto host = plan_detail::probeHost();
  inv.cpuCores = host.cores;
  inv.ramBytes = host.ramBytes;
  inv.cpuBf16 = host.bf16;
  inv.cpuIsa = host.isa;
  inv.cpuName = host.name;
#ifdef VWB_WITH_CUDA
  inv.gpus = detectCudaDevices();
#endif
  return inv;
}

}  // namespace vwb
