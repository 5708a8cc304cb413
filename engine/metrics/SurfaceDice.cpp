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

// Area of `from`'s surface elements, in total and within tau of `to`'s. `grid` is scratch space
// of the corner grid's size, reused so that the big buffer is touched (paged in) only once.
void areaWithin(const Surfels& from, const Surfels& to, Shape3 corners, double tau,
                std::vector<int32_t>& grid, double& area, double& within) {
  const auto& areas = surfelAreas();
  for (uint8_t c : from.code) area += areas[c];
  if (to.corner.empty()) return;  // nothing to be near
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
  std::vector<int32_t> grid(static_cast<size_t>(corners.voxels()));
  areaWithin(p, g, corners, tau, grid, r.predArea, r.predAreaWithin);
  areaWithin(g, p, corners, tau, grid, r.gtArea, r.gtAreaWithin);
  const double total = r.gtArea + r.predArea;
  r.value = total > 0 ? (r.gtAreaWithin + r.predAreaWithin) / total : 1.0;
  return r;
}

}  // namespace vwb
