#include "engine/infer/TopologyRepair.h"

#include <algorithm>
#include <array>
#include <vector>

#include "engine/infer/PostProcess.h"
#include "engine/metrics/RunLengthMask.h"

namespace vwb {

namespace {
bool fg(const VolumeU8& m, int64_t z, int64_t y, int64_t x) {
  return z >= 0 && y >= 0 && x >= 0 && z < m.shape.d && y < m.shape.h && x < m.shape.w &&
         m.at(z, y, x) != 0;
}
}  // namespace

int eulerChangeIfSet(const VolumeU8& m, int64_t z, int64_t y, int64_t x) {
  // Lattice elements of the voxel's cube, by which of its coordinates are fixed at a side
  // (s = -1 or +1 along that axis); the voxels sharing an element vary the other, free sides.
  int change = -1;  // the cube itself (chi = V - E + F - C)
  // Count an element (offsets `sides` on the axes in `fixedAxes`) if no other voxel sharing it
  // is foreground; `sign` is its term in chi.
  auto shared = [&](const std::array<int, 3>& sides, int sign) {
    // Voxels sharing the element: along a fixed axis, this voxel or its neighbour on that side.
    for (int a = 0; a <= (sides[0] ? 1 : 0); ++a)
      for (int b = 0; b <= (sides[1] ? 1 : 0); ++b)
        for (int c = 0; c <= (sides[2] ? 1 : 0); ++c) {
          if (!a && !b && !c) continue;
          if (fg(m, z + a * sides[0], y + b * sides[1], x + c * sides[2])) return;
        }
    change += sign;
  };
  for (int sz : {-1, 1})
    for (int sy : {-1, 1})
      for (int sx : {-1, 1}) shared({sz, sy, sx}, +1);  // 8 corners
  for (int s1 : {-1, 1})
    for (int s2 : {-1, 1}) {  // 12 edges: along x, y, z
      shared({s1, s2, 0}, -1);
      shared({s1, 0, s2}, -1);
      shared({0, s1, s2}, -1);
    }
  for (int s : {-1, 1}) {  // 6 faces
    shared({s, 0, 0}, +1);
    shared({0, s, 0}, +1);
    shared({0, 0, s}, +1);
  }
  return change;
}

int64_t plugOneVoxelHoles(VolumeU8& mask) {
  const Shape3 s = mask.shape;
  // Candidates first, then the ones inside the sheet (most foreground face neighbours) first:
  // the voxel under a hole also removes its tunnel (it turns it into a dent), but the hole
  // itself is where the sheet is missing.
  struct Candidate {
    int64_t z, y, x;
    int faces;
  };
  std::vector<Candidate> candidates;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y)
      for (int64_t x = 0; x < s.w; ++x) {
        if (mask.at(z, y, x)) continue;
        bool touches = false;
        for (int dz = -1; dz <= 1 && !touches; ++dz)
          for (int dy = -1; dy <= 1 && !touches; ++dy)
            for (int dx = -1; dx <= 1 && !touches; ++dx) touches = fg(mask, z + dz, y + dy, x + dx);
        if (!touches || eulerChangeIfSet(mask, z, y, x) <= 0) continue;
        int faces = fg(mask, z - 1, y, x) + fg(mask, z + 1, y, x) + fg(mask, z, y - 1, x) +
                    fg(mask, z, y + 1, x) + fg(mask, z, y, x - 1) + fg(mask, z, y, x + 1);
        candidates.push_back({z, y, x, faces});
      }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.faces > b.faces; });
  int64_t set = 0;
  for (const auto& c : candidates)  // re-checked on the current mask: one plug per tunnel
    if (eulerChangeIfSet(mask, c.z, c.y, c.x) > 0) {
      mask.at(c.z, c.y, c.x) = 1;
      ++set;
    }
  return set;
}

int64_t closeEachSheet(VolumeU8& mask, int radius, int64_t minVoxels) {
  if (radius <= 0) return 0;
  const Shape3 s = mask.shape;
  const RunLengthMask runs = RunLengthMask::encode(mask, Box3::of(s), true);
  const Components c = labelComponents(runs, Connectivity::Full26);
  const std::vector<int64_t> sizes = componentSizes(runs, c);
  // Per-voxel component (0 = background, else label + 1) and each component's bounding box.
  std::vector<int32_t> label(mask.data.size(), 0);
  std::vector<std::array<int64_t, 6>> box(static_cast<size_t>(c.count),
                                          {s.d, s.h, s.w, -1, -1, -1});
  for (int64_t row = 0; row < runs.rows(); ++row)
    for (int64_t r = runs.rowStart[row]; r < runs.rowStart[row + 1]; ++r) {
      const int32_t l = c.runLabel[r];
      const int64_t z = row / s.h, y = row % s.h;
      auto& b = box[size_t(l)];
      b = {std::min(b[0], z), std::min(b[1], y), std::min<int64_t>(b[2], runs.runs[r].x0),
           std::max(b[3], z), std::max(b[4], y), std::max<int64_t>(b[5], runs.runs[r].x1 - 1)};
      std::fill(label.begin() + row * s.w + runs.runs[r].x0,
                label.begin() + row * s.w + runs.runs[r].x1, l + 1);
    }
  int64_t set = 0;
  for (int32_t l = 0; l < c.count; ++l) {
    if (sizes[size_t(l)] < minVoxels) continue;
    const auto& b = box[size_t(l)];
    // A margin of 2r + 1: the erosion's "outside is foreground" rule then only acts at the
    // volume's own faces, as in the global closing, never at the crop's.
    const int64_t m = 2 * int64_t(radius) + 1;
    const int64_t z0 = std::max<int64_t>(0, b[0] - m), y0 = std::max<int64_t>(0, b[1] - m),
                  x0 = std::max<int64_t>(0, b[2] - m);
    const Shape3 crop{std::min(s.d, b[3] + m + 1) - z0, std::min(s.h, b[4] + m + 1) - y0,
                      std::min(s.w, b[5] + m + 1) - x0};
    VolumeU8 sheet(crop);
    for (int64_t z = 0; z < crop.d; ++z)
      for (int64_t y = 0; y < crop.h; ++y)
        for (int64_t x = 0; x < crop.w; ++x)
          sheet.at(z, y, x) = label[size_t(mask.index(z0 + z, y0 + y, x0 + x))] == l + 1;
    // Best projection axis: the one whose projection of the sheet covers the most pixels.
    VolumeU8 along[3] = {VolumeU8({1, crop.h, crop.w}), VolumeU8({1, crop.d, crop.w}),
                         VolumeU8({1, crop.d, crop.h})};
    for (int64_t z = 0; z < crop.d; ++z)
      for (int64_t y = 0; y < crop.h; ++y)
        for (int64_t x = 0; x < crop.w; ++x)
          if (sheet.at(z, y, x)) {
            along[0].at(0, y, x) = 1;
            along[1].at(0, z, x) = 1;
            along[2].at(0, z, y) = 1;
          }
    int axis = 0;
    int64_t best = -1;
    for (int a = 0; a < 3; ++a) {
      int64_t area = std::count(along[a].data.begin(), along[a].data.end(), 1);
      if (area > best) best = area, axis = a;
    }
    VolumeU8 closed = sheet;
    closeMask(closed, radius);
    for (int64_t z = 0; z < crop.d; ++z)
      for (int64_t y = 0; y < crop.h; ++y)
        for (int64_t x = 0; x < crop.w; ++x) {
          if (!closed.at(z, y, x) || sheet.at(z, y, x)) continue;
          const uint8_t covered = axis == 0   ? along[0].at(0, y, x)
                                  : axis == 1 ? along[1].at(0, z, x)
                                              : along[2].at(0, z, y);
          if (covered) continue;  // the sheet already crosses this column: no thickening
          const int64_t gz = z0 + z, gy = y0 + y, gx = x0 + x;
          if (mask.at(gz, gy, gx)) continue;
          bool foreign = false;  // next to another component: would bridge two sheets
          for (int dz = -1; dz <= 1 && !foreign; ++dz)
            for (int dy = -1; dy <= 1 && !foreign; ++dy)
              for (int dx = -1; dx <= 1 && !foreign; ++dx) {
                int64_t zz = gz + dz, yy = gy + dy, xx = gx + dx;
                if (zz < 0 || yy < 0 || xx < 0 || zz >= s.d || yy >= s.h || xx >= s.w) continue;
                int32_t other = label[size_t(mask.index(zz, yy, xx))];
                foreign = other != 0 && other != l + 1;
              }
          if (foreign) continue;
          mask.at(gz, gy, gx) = 1;
          label[size_t(mask.index(gz, gy, gx))] = l + 1;
          ++set;
        }
  }
  return set;
}

}  // namespace vwb
