#include "engine/train/detail/MixedPrecision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <tuple>

#include "engine/core/CpuFeatures.h"
#include "engine/core/Error.h"

#ifdef VWB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

// LibTorch 2.4 replaced the per-device autocast setters with device-type-generic ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define VWB_AUTOCAST_GENERIC 1
#endif

namespace vwb {

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::F32: return "fp32";
    case Precision::F16: return "fp16";
    case Precision::BF16: return "bf16";
  }
  return "?";
}

Precision resolvePrecision(AmpMode mode, const torch::Device& device, std::string* why,
                           std::pair<int, int> knownCapability) {
  PrecisionHardware hw;
  hw.cuda = device.is_cuda();
  if (hw.cuda) std::tie(hw.computeMajor, hw.computeMinor) = knownCapability;
#ifdef VWB_WITH_CUDA
  if (hw.cuda && hw.computeMajor == 0) {
    auto* props = at::cuda::getDeviceProperties(device.index() < 0 ? 0 : device.index());
    hw.computeMajor = props->major;
    hw.computeMinor = props->minor;
  }
#endif
  const CpuFeatures& cpu = hostCpuFeatures();
  hw.cpuNativeBf16 = cpu.nativeBf16();
  hw.cpuIsa = cpuVectorIsaName(cpu.isa());
  return choosePrecision(mode, hw, why);
}

AutocastScope::AutocastScope(Precision precision, const torch::Device& device) {
  if (precision == Precision::F32) return;
  active_ = true;
  cuda_ = device.is_cuda();
  at::ScalarType type = precision == Precision::F16 ? at::kHalf : at::kBFloat16;
#ifdef VWB_AUTOCAST_GENERIC
  auto kind = cuda_ ? at::kCUDA : at::kCPU;
  previousEnabled_ = at::autocast::is_autocast_enabled(kind);
  previousType_ = at::autocast::get_autocast_dtype(kind);
  at::autocast::set_autocast_enabled(kind, true);
  at::autocast::set_autocast_dtype(kind, type);
#else
  if (cuda_) {
    previousEnabled_ = at::autocast::is_enabled();
    previousType_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(type);
  } else {
    previousEnabled_ = at::autocast::is_cpu_enabled();
    previousType_ = at::autocast::get_autocast_cpu_dtype();
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
  at::autocast::set_autocast_dtype(kind, previousType_);
#else
  if (cuda_) {
    at::autocast::set_enabled(previousEnabled_);
    at::autocast::set_autocast_gpu_dtype(previousType_);
  } else {
    at::autocast::set_cpu_enabled(previousEnabled_);
    at::autocast::set_autocast_cpu_dtype(previousType_);
  }
#endif
}

LossScaler::LossScaler(bool enabled, double initialScale, int growthInterval)
    : enabled_(enabled), scale_(initialScale), growthInterval_(growthInterval) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) {
  if (!enabled_) return true;
  torch::NoGradGuard noGrad;
  bool finite = true;
  double inv = 1.0 / scale_;
  for (const auto& p : parameters) {
    auto g = p.grad();
    if (!g.defined()) continue;
    g.mul_(inv);
    if (finite && !torch::isfinite(g).all().item<bool>()) finite = false;
  }
  return finite;
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ = std::max(scale_ * 0.5, 1.0);
    goodSteps_ = 0;
  } else if (++goodSteps_ >= growthInterval_) {
    scale_ *= 2.0;
    goodSteps_ = 0;
  }
}

void LossScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("scaler_enabled", c10::IValue(enabled_));
  archive.write("scaler_scale", c10::IValue(scale_));
  archive.write("scaler_good_steps", c10::IValue(goodSteps_));
}

void LossScaler::load(torch::serialize::InputArchive& archive) {
  c10::IValue v;
  if (archive.try_read("scaler_scale", v)) scale_ = v.toDouble();
  if (archive.try_read("scaler_good_steps", v)) goodSteps_ = v.toInt();
}

}  // namespace vwb
