#pragma once
// Post-processing steps of the top solutions that repair a predicted sheet's topology
// (torch-free, on 0/1 masks in place). Both are documented in engine/infer/README.md.
#include <cstdint>

#include "engine/core/Volume.h"

namespace vwb {

// Euler-characteristic change of the 26-connected foreground if background voxel (z, y, x)
// became foreground, from its 2x2x2 neighbourhoods: the voxel's closed unit cube adds its
// 8 corners, 12 edges and 6 faces wherever no other foreground voxel already supplies them
// (a corner is shared by the 8 voxels of a 2x2x2 block, an edge by 4, a face by 2).
int eulerChangeIfSet(const VolumeU8& mask, int64_t z, int64_t y, int64_t x);

// Plugs 1-voxel holes: every background voxel next to foreground whose filling raises the
// Euler characteristic (removes a tunnel through the sheet: chi = components - tunnels +
// cavities, and a voxel touching foreground adds no component) is set; candidates with the
// most foreground face neighbours go first, each re-checked, so one voxel plugs each tunnel.
// A 1-voxel hole in a plane is plugged; wider holes, bumps and bridges between sheets are not.
// Returns the number of voxels set.
int64_t plugOneVoxelHoles(VolumeU8& mask);

// Per-sheet closing: each 26-connected component of at least `minVoxels` is closed on its own
// with a (2r+1)^3 cube, and of what the closing adds only voxels in columns, along the sheet's
// best projection axis (the one its voxels cover most (u, v) positions of), that held none of
// the sheet's voxels are kept, and none that touch another component (26-neighbourhood). So gaps
// in a sheet's footprint close without thickening it or bridging it to its neighbours, which a
// global closing does. Returns the number of voxels set.
int64_t closeEachSheet(VolumeU8& mask, int radius, int64_t minVoxels = 1);

}  // namespace vwb
