#include "engine/store/CachedVolumeSet.h"

#include <algorithm>
#include <cstring>

namespace vwb::store {

CachedVolumeSet::CachedVolumeSet(std::vector<std::unique_ptr<ChunkedVolumeFile>> files, int64_t cacheBudgetBytes)
    : files_(std::move(files)), cache_(cacheBudgetBytes) {}

void CachedVolumeSet::readBox(size_t v, int64_t z0, int64_t y0, int64_t x0, int64_t d, int64_t h, int64_t w,
                              uint8_t* image, uint8_t* label) const {
  const ChunkedVolumeFile& f = *files_.at(v);
  const ChunkGrid& g = f.grid();
  const Shape3 s = g.shape;
  const int64_t za = std::max<int64_t>(z0, 0), zb = std::min(z0 + d, s.d);
  const int64_t ya = std::max<int64_t>(y0, 0), yb = std::min(y0 + h, s.h);
  const int64_t xa = std::max<int64_t>(x0, 0), xb = std::min(x0 + w, s.w);
  const bool clipped = za != z0 || ya != y0 || xa != x0 || zb != z0 + d || yb != y0 + h || xb != x0 + w;
  for (int channel = 0; channel < 2; ++channel) {
    uint8_t* out = channel ? label : image;
    if (!out) continue;
    if (clipped) std::memset(out, channel ? 2 : 0, static_cast<size_t>(d * h * w));
    if (za >= zb || ya >= yb || xa >= xb) continue;
    for (int64_t cz = za / g.edge; cz <= (zb - 1) / g.edge; ++cz)
      for (int64_t cy = ya / g.edge; cy <= (yb - 1) / g.edge; ++cy)
        for (int64_t cx = xa / g.edge; cx <= (xb - 1) / g.edge; ++cx) {
          const int64_t index = g.index(cz, cy, cx);
          const uint64_t key = (uint64_t(v) << 32) | (uint64_t(index) << 1) | uint64_t(channel);
          DecodedChunk chunk = cache_.get(key, [&](std::vector<uint8_t>& buf) { f.readChunk(index, channel, buf); });
          const Shape3 e = g.extent(cz, cy, cx);
          // The part of this chunk inside the box, in volume coordinates.
          const int64_t bz = std::max(za, cz * g.edge), ez = std::min(zb, cz * g.edge + e.d);
          const int64_t by = std::max(ya, cy * g.edge), ey = std::min(yb, cy * g.edge + e.h);
          const int64_t bx = std::max(xa, cx * g.edge), ex = std::min(xb, cx * g.edge + e.w);
          for (int64_t z = bz; z < ez; ++z)
            for (int64_t y = by; y < ey; ++y) {
              const uint8_t* src = chunk->data() + ((z - cz * g.edge) * e.h + (y - cy * g.edge)) * e.w + (bx - cx * g.edge);
              uint8_t* dst = out + ((z - z0) * h + (y - y0)) * w + (bx - x0);
              std::memcpy(dst, src, static_cast<size_t>(ex - bx));
            }
        }
  }
}

}  // namespace vwb::store
