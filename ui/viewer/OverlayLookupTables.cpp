#include "ui/viewer/OverlayLookupTables.h"

namespace vwb::viewer {

vtkSmartPointer<vtkLookupTable> makeOverlayLut() {
  auto lut = vtkSmartPointer<vtkLookupTable>::New();
  lut->SetRampToLinear();
  return lut;
}

void fillPredictionLut(vtkLookupTable* lut, PredictionKind kind, double threshold, double opacity) {
  const int entries = kind == PredictionKind::Probability255 ? 256 : 2;
  const int first = kind == PredictionKind::Probability255 ? thresholdByte(threshold) : 1;
  lut->SetNumberOfTableValues(entries);
  lut->SetTableRange(0, entries - 1);
  const Rgb& c = kPredictionColor;
  for (int i = 0; i < entries; ++i)
    lut->SetTableValue(i, c[0], c[1], c[2], i >= first ? opacity : 0.0);
  lut->Modified();
}

void fillGroundTruthLut(vtkLookupTable* lut, double opacity) {
  lut->SetNumberOfTableValues(3);
  lut->SetTableRange(0, 2);
  const Rgb& c = kGroundTruthColor;
  for (int i = 0; i < 3; ++i) lut->SetTableValue(i, c[0], c[1], c[2], i == 1 ? opacity : 0.0);
  lut->Modified();
}

}  // namespace vwb::viewer
