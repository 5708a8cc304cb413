#include "engine/model/ModelMemory.h"

#include <algorithm>

namespace vwb {

int activationElementBytes(ActivationDType t) { return t == ActivationDType::F32 ? 4 : 2; }

int64_t levelChannels(const ModelConfig& config, int level) {
  int64_t c = config.baseChannels;
  for (int l = 0; l < level; ++l) c = std::min<int64_t>(c * 2, config.maxChannels);
  return std::min<int64_t>(c, config.maxChannels);
}

namespace {
int64_t conv3(int64_t in, int64_t out) { return 27 * in * out + out; }
// Two 3x3x3 convolutions with affine norms, plus a 1x1x1 projection when residual changes width.
int64_t blockParams(const ModelConfig& m, int64_t in, int64_t out) {
  int64_t p = conv3(in, out) + conv3(out, out) + 2 * (2 * out);
  if (m.residual && in != out) p += in * out + out;
  return p;
}
}  // namespace

int64_t parameterCount(const ModelConfig& m) {
  int64_t total = 0;
  int64_t in = 1;
  for (int l = 0; l < m.levels; ++l) {
    int64_t c = levelChannels(m, l);
    total += blockParams(m, in, c);
    in = c;
  }
  for (int l = m.levels - 2; l >= 0; --l) {
    int64_t c = levelChannels(m, l), below = levelChannels(m, l + 1);
    total += below * c * 8 + c;          // transposed conv, kernel 2
    total += blockParams(m, 2 * c, c);   // after concatenation with the skip
  }
  total += levelChannels(m, 0) + 1;      // 1x1x1 head
  return total;
}

int64_t estimateActivationBytes(const ModelConfig& m, Shape3 patch, int64_t batch,
                                ActivationDType dtype) {
  const int64_t bytes = activationElementBytes(dtype);
  int64_t elements = 0, indexBytes = 0;
  for (int l = 0; l < m.levels; ++l) {
    int64_t voxels = patch.voxels() >> (3 * l);
    int64_t c = levelChannels(m, l);
    elements += 6 * c * voxels;  // conv, norm, activation outputs, twice
    if (m.residual) elements += c * voxels;
    if (l + 1 < m.levels) indexBytes += 8 * c * (voxels >> 3);  // max-pool indices (int64)
    if (l + 1 < m.levels) elements += c * (voxels >> 3);        // pooled output
    if (l + 1 < m.levels) elements += c * voxels + 2 * c * voxels + 6 * c * voxels;  // decoder
  }
  elements += 2 * patch.voxels();  // head logits and the loss's sigmoid
  return batch * (elements * bytes + indexBytes);
}

int64_t estimateTrainingBytes(const ModelConfig& m, Shape3 patch, int64_t batch,
                              ActivationDType dtype) {
  return parameterCount(m) * 4 * 4 + estimateActivationBytes(m, patch, batch, dtype);
}

}  // namespace vwb
