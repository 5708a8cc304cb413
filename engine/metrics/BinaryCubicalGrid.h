#pragma once
// The cubical complex of the V-construction over one octant of a prediction/label pair: voxels are
// vertices, face-adjacent voxel pairs edges, 2x2 voxel squares 2-cells, 2x2x2 blocks 3-cells. Each
// cell takes the largest value of its voxels; the masks are inverted (foreground 0, background 1),
// so the sublevel set at 0 is the foreground with 6-connectivity. Three filtrations share the grid:
// the prediction, the label and their comparison image min(pred, label) (the union foreground).
//
// Cells are ordered by (value, id) as Betti matching orders them: id = voxel * 3 + type, the voxel
// z-major and the type the axis an edge runs along (0 z, 1 y, 2 x) or the axis a square is normal to.
#include <array>
#include <cstdint>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/metrics/Box3.h"

namespace vwb {

enum class Filtration : uint8_t { Pred = 1, Gt = 2, Comparison = 3 };

class BinaryCubicalGrid {
 public:
  // Voxel codes: bit 0 prediction foreground, bit 1 label foreground (both already binary).
  BinaryCubicalGrid(const VolumeU8& gt, const VolumeU8& pred, const Box3& box);

  Shape3 shape;
  int64_t voxels = 0;
  std::array<int64_t, 3> size{}, stride{};  // per axis z, y, x
  std::vector<uint8_t> code;
  // Per voxel, for the cube it is the lowest voxel of: bit 0 set when the cube is all prediction
  // foreground, bit 1 all label foreground, bit 2 all union foreground (value 0 in that filtration).
  std::vector<uint8_t> cubeZero;

  bool foreground(int64_t v, Filtration f) const { return (code[v] & static_cast<uint8_t>(f)) != 0; }
  // Square (v, t) is normal to axis t and spans the two other axes from v; its value is the
  // largest of its four voxels'. Edge (v, t) joins v and v + stride[t] (see BoundaryReduction).
  static std::array<int, 2> squareAxes(int t) {
    return t == 0 ? std::array<int, 2>{1, 2} : t == 1 ? std::array<int, 2>{0, 2} : std::array<int, 2>{0, 1};
  }
  // Per voxel, the three squares based at it, worked out once for every pass: bit 4t + 3 when
  // square (v, t) exists (both axes it spans have room), bit 4t + filtrationBit(f) when it is
  // value 0 in f.
  std::vector<uint16_t> squares;
  bool squareExists(int64_t v, int t) const { return (squares[v] >> (4 * t + 3)) & 1; }
  // Only for a square that exists.
  int squareValue(int64_t v, int t, Filtration f) const { return (squares[v] >> (4 * t + filtrationBit(f))) & 1 ? 0 : 1; }
  // A cube is named by its lowest voxel (valid when that voxel is on no last layer).
  int cubeValue(int64_t v, Filtration f) const { return (cubeZero[v] >> filtrationBit(f)) & 1 ? 0 : 1; }
  static int filtrationBit(Filtration f) { return f == Filtration::Pred ? 0 : f == Filtration::Gt ? 1 : 2; }
  bool solid() const { return size[0] > 1 && size[1] > 1 && size[2] > 1; }  // has cubes at all
};

}  // namespace vwb
