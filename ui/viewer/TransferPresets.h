#pragma once
// Transfer-function presets for CT volume rendering. Each preset shapes colour and opacity
// inside the current window/level, so the window/level sliders act on the 3D view too.
#include <string>
#include <vector>

#include <vtkVolumeProperty.h>

namespace vwb::viewer {

enum class TransferPreset {
  Papyrus,    // warm brown, dense material only: sheets read as surfaces
  GreyRamp,   // linear grey ramp, low opacity: the whole volume as a fog
  Mip,        // maximum intensity projection
};

const std::vector<std::string>& transferPresetNames();  // indexed by the enum's value
TransferPreset transferPresetFromIndex(int index);

// Fills property's colour and opacity functions for the window [level - window/2, level + window/2].
void applyTransferPreset(TransferPreset preset, double window, double level, vtkVolumeProperty* property);

// Whether the preset needs the maximum-intensity blend mode instead of compositing.
bool presetUsesMip(TransferPreset preset);

}  // namespace vwb::viewer
