#pragma once
// Device helpers shared by the strategies (private: torch): parsing device names, memory
// telemetry, out-of-memory detection and release. CUDA-only calls are compiled only with
// VWB_WITH_CUDA (official CUDA LibTorch builds).
#include <torch/torch.h>

#include <exception>
#include <string>

#include "engine/train/TrainingEvents.h"

namespace vwb {

// "cpu", "cpu:N" (a CPU rank), "cuda", "cuda:N". Throws vwb::Error for unknown or absent devices.
torch::Device parseDevice(const std::string& name);

// Allocator figures for CUDA; process RSS and physical RAM for the CPU.
DeviceMemory probeDeviceMemory(const torch::Device& device, const std::string& label);
void resetPeakMemory(const torch::Device& device);

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
