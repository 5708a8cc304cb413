#pragma once
// Classifies rendered pixels: the prediction overlay (orange-red), the ground-truth overlay
// (cyan), CT grey (channels equal, not black) and the background.
#include <cstdint>
#include <cstdlib>

namespace vwbtest {

struct PixelCounts {
  int prediction = 0, groundTruth = 0, grey = 0, total = 0;
  template <class Pixel>  // Pixel(x, y) -> const uint8_t* rgb
  static PixelCounts count(int width, int height, Pixel pixel) {
    PixelCounts c;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const uint8_t* p = pixel(x, y);
        const int r = p[0], g = p[1], b = p[2];
        ++c.total;
        if (r - b > 60 && r - g > 40) ++c.prediction;
        else if (b - r > 50 && g - r > 40) ++c.groundTruth;
        else if (std::abs(r - g) < 10 && std::abs(g - b) < 10 && r > 40) ++c.grey;
      }
    return c;
  }
};

}  // namespace vwbtest
