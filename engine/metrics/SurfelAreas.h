#pragma once
// Surface area of the marching-cubes surface elements of each 2x2x2 neighbourhood code, for
// voxel spacing 1, as DeepMind's surface-distance library defines them.
#include <array>

namespace vwb {

const std::array<double, 256>& surfelAreas();

}  // namespace vwb
