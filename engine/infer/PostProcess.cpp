#include "engine/infer/PostProcess.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/infer/TopologyRepair.h"
#include "engine/metrics/RunLengthMask.h"

namespace vwb {

namespace {

// Max (dilate) or min (erode) of a 0/1 line over a window of +-r; `outside` is the value
// beyond the ends. Linear time: a running count of foreground in the window.
struct LineFilter {
  std::vector<uint8_t> in, out;
  std::vector<int64_t> prefix;
  explicit LineFilter(int64_t n) : in(static_cast<size_t>(n)), out(in.size()), prefix(in.size() + 1) {}

  void run(int64_t r, bool dilate, uint8_t outside) {
    const int64_t n = static_cast<int64_t>(in.size());
    for (int64_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + in[i];
    for (int64_t i = 0; i < n; ++i) {
      const int64_t lo = i - r, hi = i + r;  // inclusive window
      const int64_t inside = prefix[std::min(hi, n - 1) + 1] - prefix[std::max(lo, int64_t(0))];
      const int64_t beyond = std::max(int64_t(0), -lo) + std::max(int64_t(0), hi - (n - 1));
      const int64_t ones = inside + (outside ? beyond : 0);
      out[i] = dilate ? ones > 0 : ones == 2 * r + 1;
    }
  }
};

// Filters every line along one axis: lines start at o*outerStride + i*innerStride.
void filterAxis(VolumeU8& v, int64_t outer, int64_t outerStride, int64_t inner, int64_t innerStride,
                int64_t n, int64_t stride, int64_t r, bool dilate, uint8_t outside) {
  LineFilter f(n);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      uint8_t* line = &v.data[static_cast<size_t>(o * outerStride + i * innerStride)];
      for (int64_t q = 0; q < n; ++q) f.in[q] = line[q * stride];
      f.run(r, dilate, outside);
      for (int64_t q = 0; q < n; ++q) line[q * stride] = f.out[q];
    }
}

// A cube structuring element is separable: filter along x, y, then z.
void filterCube(VolumeU8& v, int64_t r, bool dilate, uint8_t outside) {
  const int64_t d = v.shape.d, h = v.shape.h, w = v.shape.w;
  filterAxis(v, d * h, w, 1, 0, w, 1, r, dilate, outside);
  filterAxis(v, d, h * w, w, 1, h, w, r, dilate, outside);
  filterAxis(v, h, w, w, 1, d, h * w, r, dilate, outside);
}

}  // namespace

void closeMask(VolumeU8& mask, int radius) {
  if (radius <= 0) return;
  filterCube(mask, radius, true, 0);
  filterCube(mask, radius, false, 1);
}

void fillMaskHoles(VolumeU8& mask) {
  const Box3 box = Box3::of(mask.shape);
  const RunLengthMask bg = RunLengthMask::encode(mask, box, false);
  const Components c = labelComponents(bg, Connectivity::Face6);
  const std::vector<bool> open = componentsTouchingBorder(bg, c);
  for (int64_t row = 0; row < bg.rows(); ++row)
    for (int64_t r = bg.rowStart[row]; r < bg.rowStart[row + 1]; ++r)
      if (!open[c.runLabel[r]]) {
        uint8_t* line = &mask.data[static_cast<size_t>(row * mask.shape.w)];
        std::fill(line + bg.runs[r].x0, line + bg.runs[r].x1, 1);
      }
}

void zeroBorder(VolumeU8& mask, int k) {
  if (k <= 0) return;
  const Shape3 s = mask.shape;
  for (int64_t z = 0; z < s.d; ++z)
    for (int64_t y = 0; y < s.h; ++y) {
      uint8_t* line = &mask.data[mask.index(z, y, 0)];
      if (z < k || z >= s.d - k || y < k || y >= s.h - k) {
        std::fill(line, line + s.w, 0);
        continue;
      }
      for (int64_t x = 0; x < std::min<int64_t>(k, s.w); ++x) line[x] = line[s.w - 1 - x] = 0;
    }
}

void removeSmallComponents(VolumeU8& mask, int64_t minVoxels) {
  if (minVoxels <= 1) return;
  const RunLengthMask fg = RunLengthMask::encode(mask, Box3::of(mask.shape), true);
  const Components c = labelComponents(fg, Connectivity::Full26);
  const std::vector<int64_t> sizes = componentSizes(fg, c);
  for (int64_t row = 0; row < fg.rows(); ++row)
    for (int64_t r = fg.rowStart[row]; r < fg.rowStart[row + 1]; ++r)
      if (sizes[c.runLabel[r]] < minVoxels) {
        uint8_t* line = &mask.data[static_cast<size_t>(row * mask.shape.w)];
        std::fill(line + fg.runs[r].x0, line + fg.runs[r].x1, 0);
      }
}

std::string PostProcessRange::text() const {
  std::ostringstream s;
  s << std::setprecision(15) << "[" << min << ", " << max << "]";
  return s.str();
}

std::string postProcessProblem(const PostProcessOptions& o) {
  const PostProcessRanges r;
  auto check = [](const char* name, double v, const PostProcessRange& range) -> std::string {
    if (v >= range.min && v <= range.max) return {};
    std::ostringstream s;
    s << std::setprecision(15) << "post-processing " << name << " " << v << " is outside its range " << range.text();
    return s.str();
  };
  for (const std::string& p : {check("threshold", o.threshold, r.threshold), check("border", o.borderVoxels, r.border),
                               check("min-size", double(o.minComponentVoxels), r.minSize),
                               check("closing", o.closingRadius, r.closing),
                               check("sheet closing", o.sheetClosingRadius, r.sheetClosing)})
    if (!p.empty()) return p;
  return {};
}

VolumeU8 postprocess(const VolumeU8& probability255, const PostProcessOptions& o) {
  if (const std::string p = postProcessProblem(o); !p.empty()) throw Error(p);
  VolumeU8 mask(probability255.shape);
  const double cut = o.threshold * 255.0;
  for (size_t i = 0; i < mask.size(); ++i) mask.data[i] = probability255.data[i] >= cut;
  if (o.plugHoles) plugOneVoxelHoles(mask);
  closeMask(mask, o.closingRadius);
  closeEachSheet(mask, o.sheetClosingRadius);
  if (o.fillHoles) fillMaskHoles(mask);
  zeroBorder(mask, o.borderVoxels);
  removeSmallComponents(mask, o.minComponentVoxels);
  return mask;
}

}  // namespace vwb
