#pragma once
// Renders a scene's renderer into an offscreen vtkRenderWindow and returns the pixels
// (vtkWindowToImageFilter). For tests, benchmarks and screenshots without a widget.
// Debian's VTK has no EGL/OSMesa: this still needs an X server (Xvfb in tests). No Qt types.
#include <cstdint>
#include <vector>

#include <vtkRenderer.h>

namespace vwb::viewer {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, top row first, 3 bytes per pixel
  const uint8_t* pixel(int x, int y) const { return &rgb[(size_t(y) * width + x) * 3]; }
};

// The renderer is attached to a private window for the call and detached afterwards.
RgbImage renderOffscreen(vtkRenderer* renderer, int width, int height);

}  // namespace vwb::viewer
