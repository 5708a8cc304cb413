#pragma once
// Device helpers shared by the strategies (torch): parsing device names, memory
// telemetry, out-of-memory detection and release. CUDA-only calls are compiled only with
// VWB_WITH_CUDA (official CUDA LibTorch builds).
#include <torch/torch.h>

#include <atomic>
#include <exception>
#include <memory>
#include <string>

#include "engine/train/TrainingEvents.h"

namespace vwb {

// "cpu", "cpu:N" (a CPU rank), "cuda", "cuda:N" (engine/core/DeviceName.h) as a torch::Device.
// Throws vwb::Error for malformed names and absent GPUs.
torch::Device parseDevice(const std::string& name);

// Allocator figures and busy share for CUDA; process RSS and physical RAM for the CPU.
DeviceMemory probeDeviceMemory(const torch::Device& device, const std::string& label);
void resetPeakMemory(const torch::Device& device);

// The tensor memory one CPU rank's thread allocates (DDP and DataParallel on cpu:N): all ranks
// share one process, so its RSS cannot tell them apart. While a Scope is alive on a thread,
// LibTorch's CPU allocator reports that thread's allocations and frees here (c10's memory
// reporting hook, the one its profiler uses). Frees on other threads are not seen, so only the
// step runs inside a Scope (whose tensors the rank frees itself); current() never goes below 0.
class CpuRankMemory {
 public:
  CpuRankMemory();
  ~CpuRankMemory();
  class Scope {
   public:
    explicit Scope(CpuRankMemory& meter);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
   private:
    struct Guard;
    std::unique_ptr<Guard> guard_;
  };
  int64_t currentBytes() const;
  int64_t peakBytes() const;
  // allocated/peak = this rank's tensor bytes, total/free = the machine's RAM.
  DeviceMemory snapshot(const std::string& label) const;

  struct Reporter;
 private:
  std::shared_ptr<Reporter> reporter_;
};

// Busy share of a CUDA device over NVML's last sample period (0..1), from the NVIDIA driver's
// libnvidia-ml.so.1 loaded at run time (no link dependency); -1 for CPU devices, without a
// driver library, or when NVML cannot name the device.
double deviceBusyShare(const torch::Device& device);

// True for CUDA out-of-memory errors and failed CPU allocations.
bool isOutOfMemory(const std::exception& e);
// Returns cached blocks to the driver after an OOM (CUDA); no-op on the CPU.
void releaseCachedMemory(const torch::Device& device);

// After Optimizer::load from an archive opened on the CPU: gives this optimizer its own copy of
// every AdamW state tensor, on `device`. Without it a CUDA run resumes with CPU state (device
// mismatch in the first step), and replicas loading one archive would share, and each update,
// the same moment tensors.
void adoptOptimizerState(torch::optim::AdamW& optimizer, const torch::Device& device);

// Throws the error a real CUDA OOM throws (c10::OutOfMemoryError), for fault-injection tests.
[[noreturn]] void throwSimulatedOutOfMemory(const std::string& where);

}  // namespace vwb
