#include "engine/metrics/SurfaceDice.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/metrics/Box3.h"
#include "engine/metrics/DistanceTransform.h"
#include "engine/metrics/NeighbourCodes.h"
#include "engine/metrics/SurfelAreas.h"

namespace vwb {

namespace {

// The surface elements of a mask: corners whose neighbourhood is neither empty nor full.
struct Surfels {
  std::vector<int64_t> corner;  // linear index into the corner grid
  std::vector<uint8_t> code;
};

Surfels surfels(const VolumeU8& mask, const Box3& box) {
  Surfels s;
  const int64_t rowLength = box.shape().w + 1, rowsPerPlane = box.shape().h + 1;
  forEachCodeRow(mask, box, [&](int64_t cz, int64_t cy, const uint8_t* codes, int64_t n) {
    const int64_t base = (cz * rowsPerPlane + cy) * rowLength;
    for (int64_t x = 0; x < n; ++x)
      if (codes[x] != 0 && codes[x] != 255) {
        s.corner.push_back(base + x);
        s.code.push_back(codes[x]);
      }
  });
  return s;
}

// Offsets within tau (sqrt(d^2) <= tau, the library's test), nearest first, in a grid padded by
// `reach` on every side.
std::vector<int64_t> ballOffsets(double tau, int reach, int64_t rowLength, int64_t planeLength) {
  std::vector<std::pair<int64_t, int64_t>> byDistance;  // (d^2, linear offset)
  for (int dz = -reach; dz <= reach; ++dz)
    for (int dy = -reach; dy <= reach; ++dy)
      for (int dx = -reach; dx <= reach; ++dx) {
        const int64_t d2 = dz * dz + dy * dy + dx * dx;
        if (std::sqrt(static_cast<double>(d2)) <= tau) byDistance.push_back({d2, dz * planeLength + dy * rowLength + dx});
      }
  std::sort(byDistance.begin(), byDistance.end());
  std::vector<int64_t> offsets;
  for (const auto& o : byDistance) offsets.push_back(o.second);
  return offsets;
}

// Below this reach a surface element looks at its ball of neighbours directly (33 of them at
// tau = 2, and the nearest usually answers); above it the distance transform is cheaper.
constexpr int kMaxBallReach = 3;

// Area of `from`'s surface elements, in total and within tau of `to`'s. `grid` and `marks` are
// scratch space of the corner grid's size, reused so that a big buffer is paged in only once.
void areaWithin(const Surfels& from, const Surfels& to, Shape3 corners, double tau,
                std::vector<int32_t>& grid, std::vector<uint8_t>& marks, double& area, double& within) {
  const auto& areas = surfelAreas();
  for (uint8_t c : from.code) area += areas[c];
  if (to.corner.empty()) return;  // nothing to be near
  const int reach = static_cast<int>(std::floor(tau));
  if (reach <= kMaxBallReach) {
    // Is any of `to`'s elements within tau? Exactly the distance transform's answer: the nearest
    // element is within tau if and only if some element is.
    const int64_t pw = corners.w + 2 * reach, ph = corners.h + 2 * reach, pd = corners.d + 2 * reach;
    marks.assign(static_cast<size_t>(pw * ph * pd), 0);
    const auto padded = [&](int64_t corner) {
      const int64_t x = corner % corners.w, y = corner / corners.w % corners.h, z = corner / (corners.w * corners.h);
      return ((z + reach) * ph + y + reach) * pw + x + reach;
    };
    for (int64_t i : to.corner) marks[static_cast<size_t>(padded(i))] = 1;
    const std::vector<int64_t> offsets = ballOffsets(tau, reach, pw, pw * ph);
    for (size_t k = 0; k < from.corner.size(); ++k) {
      const uint8_t* at = &marks[static_cast<size_t>(padded(from.corner[k]))];
      for (int64_t o : offsets)
        if (at[o]) {
          within += areas[from.code[k]];
          break;
        }
    }
    return;
  }
  grid.resize(static_cast<size_t>(corners.voxels()));
  std::fill(grid.begin(), grid.end(), kNoFeature);
  for (int64_t i : to.corner) grid[static_cast<size_t>(i)] = 0;
  // Only "within tau?" is asked: distances beyond it need not be exact.
  const double bound = std::min(std::floor(tau * tau) + 1, 1e9);
  squaredDistanceTransform(grid, corners, static_cast<int32_t>(bound));
  for (size_t k = 0; k < from.corner.size(); ++k) {
    const int32_t d2 = grid[static_cast<size_t>(from.corner[k])];
    // Same test as the library: the Euclidean distance compared with tau.
    if (d2 != kNoFeature && std::sqrt(static_cast<double>(d2)) <= tau) within += areas[from.code[k]];
  }
}

}  // namespace

SurfaceDiceResult surfaceDice(const VolumeU8& gt, const VolumeU8& pred, double tau) {
  if (gt.shape != pred.shape)
    throw Error("SurfaceDice: masks are " + gt.shape.str() + " and " + pred.shape.str());
  SurfaceDiceResult r;
  // Like the library, work on the union's bounding box: distances between surface elements
  // do not depend on what lies outside it.
  const Box3 box = nonzeroBoundingBox(gt, pred);
  if (box.empty()) return r;  // both empty
  const Shape3 s = box.shape();
  const Shape3 corners{s.d + 1, s.h + 1, s.w + 1};
  const Surfels g = surfels(gt, box), p = surfels(pred, box);
  std::vector<int32_t> grid;
  std::vector<uint8_t> marks;
  areaWithin(p, g, corners, tau, grid, marks, r.predArea, r.predAreaWithin);
  areaWithin(g, p, corners, tau, grid, marks, r.gtArea, r.gtAreaWithin);
  const double total = r.gtArea + r.predArea;
  r.value = total > 0 ? (r.gtAreaWithin + r.predAreaWithin) / total : 1.0;
  return r;
}

}  // namespace vwb
