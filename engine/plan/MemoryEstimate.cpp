#include "engine/plan/MemoryEstimate.h"

#include <algorithm>

namespace vwb {
namespace {

int64_t channelsAt(const ModelConfig& m, int level) {
  int64_t c = m.baseChannels;
  for (int l = 0; l < level; ++l) c = std::min<int64_t>(c * 2, m.maxChannels);
  return std::min<int64_t>(c, m.maxChannels);
}

// conv 3x3x3 weights + bias, and the affine norm's scale and shift.
int64_t convBlockParams(int64_t in, int64_t out) { return in * out * 27 + out + 2 * out; }

// Tensors autograd keeps per voxel for one conv->norm->act block: conv output, norm output,
// activation output (the input is the previous block's output, already counted).
constexpr int64_t kTensorsPerBlock = 3;
// Backward holds gradients of the current level's activations next to the saved ones, and the
// caching allocator fragments: nnU-Net-like headroom over the saved-tensor count.
constexpr double kBackwardFactor = 1.6;

}  // namespace

int64_t estimateParameters(const ModelConfig& m) {
  int64_t params = 0;
  int64_t in = 1;
  for (int l = 0; l < m.levels; ++l) {
    int64_t c = channelsAt(m, l);
    params += convBlockParams(in, c) + convBlockParams(c, c);
    in = c;
  }
  for (int l = m.levels - 2; l >= 0; --l) {
    int64_t below = channelsAt(m, l + 1), c = channelsAt(m, l);
    params += below * c * 8 + c;  // transposed conv 2x2x2
    params += convBlockParams(2 * c, c) + convBlockParams(c, c);
  }
  params += channelsAt(m, 0) + 1;  // 1x1x1 head
  return params;
}

int64_t estimateActivationBytes(const ModelConfig& m, int patch, int batch, int bytesPerElement) {
  double elements = 0;
  double voxels = double(patch) * patch * patch;
  for (int l = 0; l < m.levels; ++l) {
    double c = double(channelsAt(m, l));
    elements += voxels * c * 2 * kTensorsPerBlock;  // encoder: two blocks
    if (l + 1 < m.levels) {
      elements += voxels * c / 8;                              // max-pool output
      elements += voxels * (c + 2 * c + 2 * kTensorsPerBlock * c);  // up, concat, two blocks
    }
    voxels /= 8;
  }
  elements += double(patch) * patch * patch * 3;  // input, logits, loss terms
  return int64_t(elements * kBackwardFactor) * bytesPerElement * batch;
}

MemoryEstimate estimateTrainingMemory(const ModelConfig& m, int patch, int batch,
                                      int bytesPerElement) {
  MemoryEstimate e;
  e.parameters = estimateParameters(m);
  e.parameterBytes = e.parameters * 4 * 4;
  e.activationBytes = estimateActivationBytes(m, patch, batch, bytesPerElement);
  return e;
}

}  // namespace vwb
