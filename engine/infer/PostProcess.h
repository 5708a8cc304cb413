#pragma once
// Probability volume (uint8 0..255 = p*255) -> binary mask (0/1), in this order:
//   1. threshold: foreground where p >= threshold;
//   2. plugging 1-voxel holes (TopologyRepair.h): background voxels whose filling removes a
//      tunnel through the sheet (the Euler characteristic from their 2x2x2 neighbourhoods rises);
//   3. closing (dilate, then erode) with a (2r+1)^3 cube; outside the volume counts as
//      background for the dilation and foreground for the erosion, so closing only ever adds;
//   4. per-sheet closing (TopologyRepair.h): each component closed on its own, keeping only
//      what fills its footprint along its best projection axis and touches no other sheet;
//   5. hole filling: background cavities (6-connected, the complement of 26-connected
//      foreground) that do not reach the volume's faces become foreground;
//   6. a border of k voxels at each face set to 0;
//   7. 26-connected components smaller than N voxels removed (last, so that fragments left by
//      the border cut go too).
// Defaults change nothing but the threshold.
#include <cstdint>
#include <string>

#include "engine/core/Volume.h"

namespace vwb {

struct PostProcessOptions {
  double threshold = 0.5;          // on probability (0..1)
  int borderVoxels = 0;            // zero this many voxels at each face
  int64_t minComponentVoxels = 0;  // remove 26-connected components smaller than this
  int closingRadius = 0;           // binary closing with a cube of this radius (0 = off)
  bool fillHoles = false;          // fill background cavities not connected to the border
  bool plugHoles = false;          // plug 1-voxel holes (tunnels) in sheets
  int sheetClosingRadius = 0;      // per-sheet closing with a cube of this radius (0 = off)
};

// The range of each number (presets, flags and the GUI check against these). Radii above 64
// (a 129^3 cube) or borders above 1024 voxels are no post-processing of a 320^3 volume but its
// erasure or filling; min-size stops at 2^40 voxels (any volume's size).
struct PostProcessRange {
  double min, max;
  bool integer;
  std::string text() const;  // "[0, 64]"
};
struct PostProcessRanges {
  PostProcessRange threshold{0, 1, false}, border{0, 1024, true}, minSize{0, 1099511627776.0, true},
      closing{0, 64, true}, sheetClosing{0, 64, true};
};
// Empty, or what is out of range, naming the setting and its range.
std::string postProcessProblem(const PostProcessOptions& options);

// Throws vwb::Error for options out of range (postProcessProblem).
VolumeU8 postprocess(const VolumeU8& probability255, const PostProcessOptions& options);

// The steps on their own, on 0/1 masks (in place).
void closeMask(VolumeU8& mask, int radius);
void fillMaskHoles(VolumeU8& mask);
void zeroBorder(VolumeU8& mask, int voxels);
void removeSmallComponents(VolumeU8& mask, int64_t minVoxels);

}  // namespace vwb
