#include "engine/train/SkeletonTube.h"

#include <algorithm>
#include <array>
#include <vector>

namespace vwb {
namespace {

// The 3x3x3 neighbourhood as 27 flags, index (dz+1)*9 + (dy+1)*3 + (dx+1); 13 is the centre.
using Cube = std::array<uint8_t, 27>;
constexpr int kCentre = 13;

int offsetDistance(int i) {  // 1 = face, 2 = edge, 3 = corner neighbour
  int dz = i / 9 - 1, dy = (i / 3) % 3 - 1, dx = i % 3 - 1;
  return (dz != 0) + (dy != 0) + (dx != 0);
}

bool adjacent(int a, int b, int connectivity) {
  int dz = a / 9 - b / 9, dy = (a / 3) % 3 - (b / 3) % 3, dx = a % 3 - b % 3;
  if (dz < -1 || dz > 1 || dy < -1 || dy > 1 || dx < -1 || dx > 1) return false;
  int n = (dz != 0) + (dy != 0) + (dx != 0);
  return n >= 1 && (connectivity == 26 || n == 1);
}

// Components of the cells with member[i] set, under `connectivity`, counting only components
// that contain a cell with seedOk[i] set.
int components(const std::array<bool, 27>& member, const std::array<bool, 27>& seedOk,
               int connectivity) {
  std::array<bool, 27> seen{};
  int count = 0;
  for (int s = 0; s < 27; ++s) {
    if (!member[s] || seen[s] || !seedOk[s]) continue;
    ++count;
    int stack[27], top = 0;
    stack[top++] = s;
    seen[s] = true;
    while (top > 0) {
      int a = stack[--top];
      for (int b = 0; b < 27; ++b)
        if (member[b] && !seen[b] && adjacent(a, b, connectivity)) {
          seen[b] = true;
          stack[top++] = b;
        }
    }
  }
  return count;
}

// Simple point for (26, 6) connectivity: one 26-component of foreground in N26 \ p, and one
// 6-component of background in N18 that touches p's faces.
bool isSimple(const Cube& n) {
  std::array<bool, 27> fg{}, bg{}, all{}, face{};
  for (int i = 0; i < 27; ++i) {
    if (i == kCentre) continue;
    fg[i] = n[i] != 0;
    bg[i] = n[i] == 0 && offsetDistance(i) <= 2;
    all[i] = true;
    face[i] = offsetDistance(i) == 1;
  }
  return components(fg, all, 26) == 1 && components(bg, face, 6) == 1;
}

}  // namespace

void thinToMedialSurface(VolumeU8& mask) {
  const Shape3 s = mask.shape;
  // Padded copy, so every voxel has 26 neighbours. The border repeats the edge voxels and is
  // never removed: a sheet that leaves the patch continues outside instead of being eroded from
  // the patch boundary (patches cut through the papyrus everywhere).
  const int64_t W = s.w + 2, H = s.h + 2, D = s.d + 2;
  std::vector<uint8_t> v(static_cast<size_t>(W * H * D), 0);
  auto idx = [&](int64_t z, int64_t y, int64_t x) { return (z * H + y) * W + x; };
  auto clampTo = [](int64_t i, int64_t n) { return std::min<int64_t>(std::max<int64_t>(i, 0), n - 1); };
  for (int64_t z = 0; z < D; ++z)
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x)
        v[idx(z, y, x)] = mask.at(clampTo(z - 1, s.d), clampTo(y - 1, s.h), clampTo(x - 1, s.w)) != 0;
  const int64_t axis[3] = {H * W, W, 1};
  std::array<int64_t, 27> offset{};
  for (int i = 0; i < 27; ++i)
    offset[i] = (i / 9 - 1) * axis[0] + ((i / 3) % 3 - 1) * axis[1] + (i % 3 - 1) * axis[2];
  auto thin = [&](int64_t p) {  // one voxel thick along some axis: an end point, kept
    for (int a = 0; a < 3; ++a)
      if (!v[p + axis[a]] && !v[p - axis[a]]) return true;
    return false;
  };
  std::vector<int64_t> candidates;
  for (bool changed = true; changed;) {
    changed = false;
    for (int dir = 0; dir < 6; ++dir) {
      const int64_t step = (dir % 2 ? -1 : 1) * axis[dir / 2];
      candidates.clear();
      for (int64_t z = 1; z <= s.d; ++z)
        for (int64_t y = 1; y <= s.h; ++y)
          for (int64_t x = 1; x <= s.w; ++x) {
            int64_t p = idx(z, y, x);
            if (v[p] && !v[p + step] && !thin(p)) candidates.push_back(p);
          }
      // Sequential re-check on the current image: each removal alone preserves topology.
      for (int64_t p : candidates) {
        if (thin(p)) continue;
        Cube n;
        for (int i = 0; i < 27; ++i) n[i] = v[p + offset[i]];
        if (isSimple(n)) {
          v[p] = 0;
          changed = true;
        }
      }
    }
  }
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) mask.at(z, y, x) = v[idx(z + 1, y + 1, x + 1)];
}

void skeletonTube(const uint8_t* label, Shape3 shape, uint8_t* tube) {
  VolumeU8 skeleton(shape);
  for (int64_t i = 0; i < shape.voxels(); ++i) skeleton.data[size_t(i)] = label[i] == 1;
  thinToMedialSurface(skeleton);
  for (int64_t z = 0; z < shape.d; ++z)
    for (int64_t y = 0; y < shape.h; ++y)
      for (int64_t x = 0; x < shape.w; ++x) {
        const int64_t i = (z * shape.h + y) * shape.w + x;
        uint8_t near = 0;
        if (label[i] == 1)
          for (int64_t dz = -1; dz <= 1 && !near; ++dz)
            for (int64_t dy = -1; dy <= 1 && !near; ++dy)
              for (int64_t dx = -1; dx <= 1 && !near; ++dx) {
                int64_t zz = z + dz, yy = y + dy, xx = x + dx;
                if (zz < 0 || yy < 0 || xx < 0 || zz >= shape.d || yy >= shape.h || xx >= shape.w)
                  continue;
                near = skeleton.at(zz, yy, xx);
              }
        tube[i] = near;
      }
}

}  // namespace vwb
