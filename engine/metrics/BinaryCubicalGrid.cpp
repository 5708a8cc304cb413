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
}

int BinaryCubicalGrid::cubeValue(int64_t v, Filtration f) const {
  for (int dz = 0; dz < 2; ++dz)
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx)
        if (!foreground(v + dz * stride[0] + dy * stride[1] + dx * stride[2], f)) return 1;
  return 0;
}

}  // namespace vwb
