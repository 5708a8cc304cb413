#include "engine/metrics/BinaryCubicalGrid.h"

namespace vwb {

BinaryCubicalGrid::BinaryCubicalGrid(const VolumeU8& gt, const VolumeU8& pred, const Box3& box)
    : shape(box.shape()), voxels(box.shape().voxels()) {
  size = {shape.d, shape.h, shape.w};
  stride = {shape.h * shape.w, shape.w, 1};
  code.resize(static_cast<size_t>(voxels));
  size_t i = 0;
  for (int64_t z = box.z0; z < box.z1; ++z)
    for (int64_t y = box.y0; y < box.y1; ++y) {
      const uint8_t* g = &gt.data[gt.index(z, y, box.x0)];
      const uint8_t* p = &pred.data[pred.index(z, y, box.x0)];
      for (int64_t x = 0; x < shape.w; ++x) code[i++] = static_cast<uint8_t>((p[x] != 0) | ((g[x] != 0) << 1));
    }
  // Squares: the three bits (prediction, label, union) ANDed over the 2x2 voxels of each.
  std::vector<uint8_t> zero(code.size());
  for (size_t j = 0; j < code.size(); ++j) zero[j] = static_cast<uint8_t>(code[j] | (code[j] ? 4 : 0));
  squares.assign(code.size(), 0);
  for (int64_t z = 0, v = 0; z < size[0]; ++z)
    for (int64_t y = 0; y < size[1]; ++y)
      for (int64_t x = 0; x < size[2]; ++x, ++v) {
        const bool more[3] = {z + 1 < size[0], y + 1 < size[1], x + 1 < size[2]};
        uint16_t bits = 0;
        for (int t = 0; t < 3; ++t) {
          const auto ax = squareAxes(t);
          if (!more[ax[0]] || !more[ax[1]]) continue;
          const int64_t a = stride[ax[0]], b = stride[ax[1]];
          bits |= static_cast<uint16_t>((8 | (zero[v] & zero[v + a] & zero[v + b] & zero[v + a + b])) << (4 * t));
        }
        squares[v] = bits;
      }
  // AND of the three bits over each 2x2x2 block, one axis at a time (the last layer is unused).
  cubeZero.resize(code.size());
  for (size_t j = 0; j < code.size(); ++j) cubeZero[j] = static_cast<uint8_t>(code[j] | (code[j] ? 4 : 0));
  for (int axis = 2; axis >= 0; --axis)
    for (int64_t v = 0; v + stride[axis] < voxels; ++v) cubeZero[v] &= cubeZero[v + stride[axis]];
}

}  // namespace vwb
