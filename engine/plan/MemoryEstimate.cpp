// Delegates to the model module's analytic size (engine/model/ModelMemory.h, which matches the
// torch module exactly) and adds backward's transient working set on top.
#include "engine/plan/MemoryEstimate.h"

#include "engine/model/ModelMemory.h"

namespace vwb {
namespace {

// ModelMemory counts the tensors saved for backward; backward briefly holds the gradients of a
// level's activations next to them, and the caching allocator fragments. 1.3x covers both in
// nnU-Net's experience-style margin; the per-device safety margin comes on top.
constexpr double kBackwardFactor = 1.3;

ActivationDType dtypeFor(int bytesPerElement) {
  return bytesPerElement <= 2 ? ActivationDType::F16 : ActivationDType::F32;
}

}  // namespace

int64_t estimateParameters(const ModelConfig& m) { return parameterCount(m); }

int64_t estimateActivationBytes(const ModelConfig& m, int patch, int batch, int bytesPerElement) {
  int64_t perSample =
      vwb::estimateActivationBytes(m, Shape3{patch, patch, patch}, 1, dtypeFor(bytesPerElement));
  return int64_t(double(perSample) * kBackwardFactor) * batch;
}

MemoryEstimate estimateTrainingMemory(const ModelConfig& m, int patch, int batch,
                                      int bytesPerElement) {
  MemoryEstimate e;
  e.parameters = estimateParameters(m);
  e.parameterBytes = e.parameters * 4 * 4;  // fp32 weights, gradients, AdamW's two moments
  e.activationBytes = estimateActivationBytes(m, patch, batch, bytesPerElement);
  return e;
}

}  // namespace vwb
