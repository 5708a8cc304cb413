#include "engine/infer/SlidingWindow.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/Error.h"

namespace vwb {

std::vector<int64_t> windowStarts(int64_t size, int64_t patch, double overlap) {
  if (!(overlap >= 0 && overlap < 1))
    throw Error("sliding-window overlap " + std::to_string(overlap) + " is outside [0, 1)");
  if (patch <= 0) throw Error("sliding-window patch must be positive");
  if (size <= patch) return {0};
  const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(std::floor(patch * (1 - overlap))));
  const int64_t count = (size - patch + step - 1) / step + 1;
  std::vector<int64_t> starts(static_cast<size_t>(count));
  // Evenly spread: the actual step is at most `step`, first at 0, last at size - patch.
  for (int64_t i = 0; i < count; ++i)
    starts[i] = static_cast<int64_t>(std::llround(double(i) * double(size - patch) / double(count - 1)));
  return starts;
}

std::vector<float> gaussianImportance(Shape3 patch) {
  auto axis = [](int64_t n) {
    std::vector<double> g(static_cast<size_t>(n));
    const double sigma = n / 8.0, centre = (n - 1) / 2.0;
    for (int64_t i = 0; i < n; ++i) g[i] = std::exp(-0.5 * (i - centre) * (i - centre) / (sigma * sigma));
    return g;
  };
  const auto gz = axis(patch.d), gy = axis(patch.h), gx = axis(patch.w);
  std::vector<float> w(static_cast<size_t>(patch.voxels()));
  double peak = 0;
  for (double a : gz)
    for (double b : gy)
      for (double c : gx) peak = std::max(peak, a * b * c);
  size_t i = 0;
  float smallest = 1;
  for (double a : gz)
    for (double b : gy)
      for (double c : gx) {
        w[i] = static_cast<float>(a * b * c / peak);
        if (w[i] > 0) smallest = std::min(smallest, w[i]);
        ++i;
      }
  // At sigma = patch/8 the corners are exp(-12) ~ 6e-6 of the peak, far from underflow; the
  // clamp only guards huge patches.
  for (float& v : w) v = std::max(v, smallest);
  return w;
}

}  // namespace vwb
