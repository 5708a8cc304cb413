// The torch side of engine/model/Precision.h: CUDA device properties and LibTorch's autocast
// state (1.13 and >= 2.4 APIs behind #if).
#include "engine/model/Precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <tuple>

#include "engine/core/CpuFeatures.h"

#ifdef VWB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

// LibTorch 2.4 replaced the per-device autocast setters with device-type-generic ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define VWB_AUTOCAST_GENERIC 1
#endif

namespace vwb {

const char* ampName(AmpMode a) {
  switch (a) {
    case AmpMode::Auto: return "auto";
    case AmpMode::Off: return "off";
    case AmpMode::Fp16: return "fp16";
    case AmpMode::Bf16: return "bf16";
  }
  return "?";
}

AmpMode parseAmp(const std::string& s) {
  if (s == "auto") return AmpMode::Auto;
  if (s == "off") return AmpMode::Off;
  if (s == "fp16") return AmpMode::Fp16;
  if (s == "bf16") return AmpMode::Bf16;
  throw Error("unknown amp mode '" + s + "' (expected auto, off, fp16 or bf16)");
}

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::F32: return "fp32";
    case Precision::F16: return "fp16";
    case Precision::BF16: return "bf16";
  }
  return "?";
}

Precision resolvePrecision(AmpMode mode, const DeviceName& device, std::string* why,
                           std::pair<int, int> knownCapability) {
  PrecisionHardware hw;
  hw.cuda = device.cuda;
  if (hw.cuda) std::tie(hw.computeMajor, hw.computeMinor) = knownCapability;
#ifdef VWB_WITH_CUDA
  if (hw.cuda && hw.computeMajor == 0) {
    auto* props = at::cuda::getDeviceProperties(device.index < 0 ? 0 : device.index);
    hw.computeMajor = props->major;
    hw.computeMinor = props->minor;
  }
#endif
  const CpuFeatures& cpu = hostCpuFeatures();
  hw.cpuNativeBf16 = cpu.nativeBf16();
  hw.cpuIsa = cpuVectorIsaName(cpu.isa());
  return choosePrecision(mode, hw, why);
}

AutocastScope::AutocastScope(Precision precision, bool cuda) {
  if (precision == Precision::F32) return;
  active_ = true;
  cuda_ = cuda;
  at::ScalarType type = precision == Precision::F16 ? at::kHalf : at::kBFloat16;
#ifdef VWB_AUTOCAST_GENERIC
  auto kind = cuda_ ? at::kCUDA : at::kCPU;
  previousEnabled_ = at::autocast::is_autocast_enabled(kind);
  previousType_ = static_cast<int>(at::autocast::get_autocast_dtype(kind));
  at::autocast::set_autocast_enabled(kind, true);
  at::autocast::set_autocast_dtype(kind, type);
#else
  if (cuda_) {
    previousEnabled_ = at::autocast::is_enabled();
    previousType_ = static_cast<int>(at::autocast::get_autocast_gpu_dtype());
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(type);
  } else {
    previousEnabled_ = at::autocast::is_cpu_enabled();
    previousType_ = static_cast<int>(at::autocast::get_autocast_cpu_dtype());
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(type);
  }
#endif
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Leaving the outermost autocast region drops the cast-weight cache, as Python's autocast does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#ifdef VWB_AUTOCAST_GENERIC
  auto kind = cuda_ ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_enabled(kind, previousEnabled_);
  at::autocast::set_autocast_dtype(kind, static_cast<at::ScalarType>(previousType_));
#else
  if (cuda_) {
    at::autocast::set_enabled(previousEnabled_);
    at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(previousType_));
  } else {
    at::autocast::set_cpu_enabled(previousEnabled_);
    at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(previousType_));
  }
#endif
}

}  // namespace vwb
