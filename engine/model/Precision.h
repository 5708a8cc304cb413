#pragma once
// Mixed precision for the network, wherever it runs (training and inference): the mode a user
// asks for (AmpMode, --amp / config.json "amp"), the precision a device runs (a pure function of
// what the hardware can do natively, so the planner and tests fake any hardware), and running in
// it (AutocastScope). Torch-free header: the planner, inference and training use it without
// linking each other; the torch calls (autocast, CUDA properties) are in Precision.cpp. Training's
// loss scaling for fp16 is training's own (engine/train/torch/LossScaler.h).
//
// A mode the hardware would only emulate is refused with the reason, never silently accepted:
// bf16 on a CPU without avx512_bf16/AMX ran > 12 CPU-minutes without finishing 15 steps that
// fp32 does at 0.72 samples/s. Refusing (rather than quietly training in fp32) keeps what a run
// or a benchmark reports equal to what was asked for; --amp auto only picks native paths.
#include <string>
#include <utility>

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"

namespace vwb {

enum class AmpMode { Auto, Off, Fp16, Bf16 };
const char* ampName(AmpMode a);            // "auto", "off", "fp16", "bf16"
AmpMode parseAmp(const std::string& s);    // throws vwb::Error naming the choices

enum class Precision { F32, F16, BF16 };
const char* precisionName(Precision p);  // "fp32", "fp16", "bf16"

struct PrecisionHardware {
  bool cuda = false;
  int computeMajor = 0, computeMinor = 0;  // CUDA: the slowest device's compute capability
  bool cpuNativeBf16 = false;              // CPU: avx512_bf16 or AMX
  std::string cpuIsa = "AVX2";             // for messages
};

// Full-rate fp16 arithmetic: sm53, sm60, sm62 and sm70+ (sm61, e.g. GTX 10xx / P40, runs fp16
// at 1/64 of fp32; older parts have none).
inline bool cudaFastFp16(int major, int minor) {
  return major >= 7 || (major == 6 && minor != 1) || (major == 5 && minor == 3);
}
// bf16 tensor cores arrived with Ampere (sm80); before it bf16 is emulated.
inline bool cudaNativeBf16(int major) { return major >= 8; }

// auto: CUDA -> bf16 on sm80+, fp16 (with loss scaling) on sm70+, else fp32; CPU -> fp32 (bf16 on
// request where native). Throws vwb::Error for a requested mode the hardware lacks. `why` gets a
// one-line reason for the log.
inline Precision choosePrecision(AmpMode mode, const PrecisionHardware& hw, std::string* why) {
  auto say = [&](const std::string& s) {
    if (why) *why = s;
  };
  const std::string cc = "sm" + std::to_string(hw.computeMajor) + std::to_string(hw.computeMinor);
  switch (mode) {
    case AmpMode::Off:
      say("mixed precision off: fp32");
      return Precision::F32;
    case AmpMode::Fp16:
      if (!hw.cuda) throw Error("--amp fp16 needs a CUDA device; on the CPU use --amp off");
      if (!cudaFastFp16(hw.computeMajor, hw.computeMinor))
        throw Error("--amp fp16: this GPU (" + cc + ") has no full-rate fp16 arithmetic, so fp16 "
                    "would run slower than fp32; use --amp off");
      say("fp16 autocast with dynamic loss scaling");
      return Precision::F16;
    case AmpMode::Bf16:
      if (hw.cuda && !cudaNativeBf16(hw.computeMajor))
        throw Error("--amp bf16: this GPU (" + cc + ") has no bf16 tensor cores (they start at "
                    "sm80), so bf16 is emulated and slow; use --amp fp16 or off");
      if (!hw.cuda && !hw.cpuNativeBf16)
        throw Error("--amp bf16: this CPU (" + hw.cpuIsa + ") has no native bf16 (avx512_bf16 or "
                    "AMX); oneDNN would emulate bf16 many times slower than fp32; use --amp off");
      say(hw.cuda ? "bf16 autocast" : "bf16 autocast on the CPU (" + hw.cpuIsa +
                                          ", native bf16; gradients stay fp32)");
      return Precision::BF16;
    case AmpMode::Auto:
      if (!hw.cuda) {
        say(hw.cpuNativeBf16 ? "CPU: fp32 (this CPU has native bf16: --amp bf16 is optional)"
                             : "CPU: fp32 (no native bf16 on this CPU)");
        return Precision::F32;
      }
      if (cudaNativeBf16(hw.computeMajor)) {
        say(cc + ": bf16 autocast, no loss scaling needed");
        return Precision::BF16;
      }
      if (hw.computeMajor >= 7) {
        say(cc + ": fp16 autocast with dynamic loss scaling");
        return Precision::F16;
      }
      say(cc + ": no tensor cores, fp32");
      return Precision::F32;
  }
  return Precision::F32;
}

// choosePrecision() for this device: its compute capability (CUDA) or this CPU's features.
// Throws vwb::Error for a mode the device would only emulate. `why` gets a one-line reason.
// `knownCapability` ({major, minor}; {0, 0} = ask CUDA) is the CUDA device's compute capability as
// the caller learned it: for builds that cannot ask CUDA themselves (no VWB_WITH_CUDA: the Kaggle
// kit's library, whose notebook asks torch.cuda.get_device_capability).
Precision resolvePrecision(AmpMode mode, const DeviceName& device, std::string* why = nullptr,
                           std::pair<int, int> knownCapability = {0, 0});

// Enables autocast for the CUDA devices or the CPU while alive (no-op for fp32); restores the
// previous state. LibTorch's autocast state is per thread and per device type.
class AutocastScope {
 public:
  AutocastScope(Precision precision, bool cuda);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool previousEnabled_ = false;
  int previousType_ = 0;  // at::ScalarType, kept as its number so this header needs no torch
};

}  // namespace vwb
