#include "engine/model/ModelMemory.h"

#include <algorithm>

#include "engine/model/ModelPresets.h"

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
// Conv (with or without bias) + affine norm of a ConvNormAct.
int64_t convNorm(int64_t in, int64_t out, int64_t kernel, bool bias = true) {
  return kernel * kernel * kernel * in * out + (bias ? out : 0) + 2 * out;
}

// Deep-supervision heads: a 1x1x1 conv at every decoder level below full resolution.
int64_t deepSupervisionParams(const ModelConfig& m) {
  int64_t p = 0;
  if (m.deepSupervision)
    for (int l = 1; l + 1 < m.levels; ++l) p += levelChannels(m, l) + 1;
  return p;
}

int64_t resEncParameterCount(const ModelConfig& m) {
  int64_t total = convNorm(1, levelChannels(m, 0), 3);  // stem
  int64_t in = levelChannels(m, 0);
  for (int s = 0; s < m.levels; ++s) {
    int64_t c = levelChannels(m, s);
    for (int b = 0; b < resEncBlocks(s); ++b) {
      int64_t bin = b == 0 ? in : c;
      total += convNorm(bin, c, 3) + convNorm(c, c, 3);
      if (bin != c) total += convNorm(bin, c, 1, false);
    }
    in = c;
  }
  for (int l = m.levels - 2; l >= 0; --l) {
    int64_t c = levelChannels(m, l), below = levelChannels(m, l + 1);
    total += below * c * 8 + c + convNorm(2 * c, c, 3);
  }
  return total + levelChannels(m, 0) + 1 + deepSupervisionParams(m);
}

// Outputs of every op of the ResEnc forward pass (what autograd keeps), per sample, in elements.
int64_t resEncActivationElements(const ModelConfig& m, Shape3 patch) {
  auto voxels = [&](int l) { return patch.voxels() >> (3 * l); };
  int64_t e = 3 * levelChannels(m, 0) * voxels(0);  // stem: conv, norm, activation
  int64_t in = levelChannels(m, 0);
  for (int s = 0; s < m.levels; ++s) {
    int64_t c = levelChannels(m, s), v = voxels(s);
    for (int b = 0; b < resEncBlocks(s); ++b) {
      int64_t bin = b == 0 ? in : c;
      e += 7 * c * v;  // conv, norm, act, conv, norm, sum, act
      if (b == 0 && s > 0) e += bin * v;  // average-pooled skip
      if (bin != c) e += 2 * c * v;       // skip conv and its norm
    }
    in = c;
  }
  for (int l = m.levels - 2; l >= 0; --l) {
    int64_t c = levelChannels(m, l);
    e += 6 * c * voxels(l);  // transposed conv, concatenation (2c), conv, norm, activation
    if (m.deepSupervision && l >= 1) e += 3 * voxels(l);  // head, label masks
  }
  return e + 2 * patch.voxels();  // head logits and the loss's sigmoid
}
}  // namespace

int64_t parameterCount(const ModelConfig& m) {
  if (isResEnc(m.arch)) return resEncParameterCount(m);
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
  return total + deepSupervisionParams(m);
}

int64_t estimateActivationBytes(const ModelConfig& m, Shape3 patch, int64_t batch,
                                ActivationDType dtype) {
  const int64_t bytes = activationElementBytes(dtype);
  if (isResEnc(m.arch)) return batch * resEncActivationElements(m, patch) * bytes;
  int64_t elements = 0, indexBytes = 0;
  for (int l = 0; l < m.levels; ++l) {
    int64_t voxels = patch.voxels() >> (3 * l);
    int64_t c = levelChannels(m, l);
    elements += 6 * c * voxels;  // conv, norm, activation outputs, twice
    if (m.residual) elements += c * voxels;
    if (l + 1 < m.levels) indexBytes += 8 * c * (voxels >> 3);  // max-pool indices (int64)
    if (l + 1 < m.levels) elements += c * (voxels >> 3);        // pooled output
    if (l + 1 < m.levels) elements += c * voxels + 2 * c * voxels + 6 * c * voxels;  // decoder
    if (m.deepSupervision && l >= 1 && l + 1 < m.levels) elements += 3 * voxels;
  }
  elements += 2 * patch.voxels();  // head logits and the loss's sigmoid
  return batch * (elements * bytes + indexBytes);
}

double estimateForwardFlops(const ModelConfig& m, Shape3 patch) {
  auto voxels = [&](int l) { return double(patch.voxels() >> (3 * l)); };
  // Multiply-adds of a k^3 convolution from `in` to `out` channels at level l's resolution.
  auto conv = [&](int64_t in, int64_t out, int64_t k, int l) { return double(k * k * k * in * out) * voxels(l); };
  double macs = 0;
  if (isResEnc(m.arch)) {
    macs += conv(1, levelChannels(m, 0), 3, 0);  // stem
    int64_t in = levelChannels(m, 0);
    for (int s = 0; s < m.levels; ++s) {
      const int64_t c = levelChannels(m, s);
      for (int b = 0; b < resEncBlocks(s); ++b) {
        const int64_t bin = b == 0 ? in : c;
        macs += conv(bin, c, 3, s) + conv(c, c, 3, s);  // the first one strided: output at level s
        if (bin != c) macs += conv(bin, c, 1, s);
      }
      in = c;
    }
  } else {
    int64_t in = 1;
    for (int l = 0; l < m.levels; ++l) {
      const int64_t c = levelChannels(m, l);
      macs += conv(in, c, 3, l) + conv(c, c, 3, l);
      if (m.residual && in != c) macs += conv(in, c, 1, l);
      in = c;
    }
  }
  for (int l = m.levels - 2; l >= 0; --l) {
    const int64_t c = levelChannels(m, l), below = levelChannels(m, l + 1);
    macs += conv(below, c, 2, l + 1);  // transposed, kernel 2 stride 2: k^3 outputs per input voxel
    if (isResEnc(m.arch)) macs += conv(2 * c, c, 3, l);
    else {
      macs += conv(2 * c, c, 3, l) + conv(c, c, 3, l);
      if (m.residual) macs += conv(2 * c, c, 1, l);
    }
  }
  macs += conv(levelChannels(m, 0), 1, 1, 0);  // head
  return 2 * macs;
}

int64_t estimateTrainingBytes(const ModelConfig& m, Shape3 patch, int64_t batch,
                              ActivationDType dtype) {
  return parameterCount(m) * 4 * 4 + estimateActivationBytes(m, patch, batch, dtype);
}

}  // namespace vwb
