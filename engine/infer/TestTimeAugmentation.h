#pragma once
// Test-time augmentation: a patch is flipped/rotated, predicted, and the prediction mapped back
// with the inverse transform before blending. Every transform is a permutation of the patch's
// voxels, so the inverse is exact.
#include <vector>

#include "engine/core/Volume.h"
#include "engine/infer/Predictor.h"

namespace vwb {

struct TtaTransform {
  bool flipZ = false, flipY = false, flipX = false;
  int quarterTurns = 0;  // counter-clockwise quarter turns in the (y, x) plane (h == w)
};

// None: identity. Flips: the 8 flip combinations. Full: flips of z times the 8 symmetries of
// the (y, x) square (4 rotations, with and without an x flip) = 16 distinct transforms; a
// patch with h != w cannot be rotated in place and gets Flips.
std::vector<TtaTransform> ttaTransforms(Tta tta, Shape3 patch);

// out = T(in) and out = T^-1(in); `in` and `out` are distinct patch-sized buffers.
void applyTransform(const TtaTransform& t, const float* in, float* out, Shape3 patch);
void applyInverse(const TtaTransform& t, const float* in, float* out, Shape3 patch);

}  // namespace vwb
