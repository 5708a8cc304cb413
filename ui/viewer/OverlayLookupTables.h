#pragma once
// Lookup tables that turn the prediction and the ground truth into coloured, partly transparent
// overlays. They are refilled in place, so a threshold or opacity change costs 256 table writes and
// no pass over the volume: that is what keeps the sliders live on 320^3 volumes.
#include <vtkLookupTable.h>
#include <vtkSmartPointer.h>

#include "ui/viewer/ViewerTypes.h"

namespace vwb::viewer {

vtkSmartPointer<vtkLookupTable> makeOverlayLut();

// Probability255: 256 entries, foreground from thresholdByte(threshold). Mask01: 2 entries.
void fillPredictionLut(vtkLookupTable* lut, PredictionKind kind, double threshold, double opacity);

// Labels 0/1/2: only 1 (surface) is coloured; 2 (unlabeled) stays transparent like background.
void fillGroundTruthLut(vtkLookupTable* lut, double opacity);

}  // namespace vwb::viewer
