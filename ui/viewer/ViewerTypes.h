#pragma once
// Plain values shared by the VTK scenes and the Qt widgets that drive them (no Qt, no VTK).
#include <array>
#include <cmath>

namespace vwb::viewer {

// A voxel position (x, y, z) in the volume's index space.
struct Voxel {
  int x = 0, y = 0, z = 0;
  int operator[](int axis) const { return axis == 0 ? x : axis == 1 ? y : z; }
  int& operator[](int axis) { return axis == 0 ? x : axis == 1 ? y : z; }
  bool operator==(const Voxel& o) const { return x == o.x && y == o.y && z == o.z; }
  bool operator!=(const Voxel& o) const { return !(*this == o); }
};

// How the prediction volume is coded: the engine's probabilities (round(p*255)) or a 0/1 mask.
enum class PredictionKind { Probability255, Mask01 };

// Overlay state shared by every view.
struct OverlaySettings {
  double threshold = 0.5;  // probability (0..1) at which a voxel counts as foreground
  double opacity = 0.5;    // of the coloured overlays (slices) and the surfaces (3D)
  bool showPrediction = true;
  bool showGroundTruth = false;
};

using Rgb = std::array<double, 3>;
inline constexpr Rgb kPredictionColor{1.0, 0.35, 0.05};   // orange-red
inline constexpr Rgb kGroundTruthColor{0.1, 0.85, 1.0};   // cyan
inline constexpr Rgb kCursorColor{1.0, 0.9, 0.2};         // yellow

// Byte value from which a Probability255 voxel is foreground: value >= threshold*255, the
// engine's post-processing rule (engine/infer/PostProcess.cpp), so the overlay is its mask.
inline int thresholdByte(double threshold) {
  int b = static_cast<int>(std::ceil(threshold * 255.0));
  return b < 0 ? 0 : b > 256 ? 256 : b;
}

}  // namespace vwb::viewer
