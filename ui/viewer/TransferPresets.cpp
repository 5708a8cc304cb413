#include "ui/viewer/TransferPresets.h"

#include <algorithm>

#include <vtkColorTransferFunction.h>
#include <vtkPiecewiseFunction.h>

namespace vwb::viewer {

const std::vector<std::string>& transferPresetNames() {
  static const std::vector<std::string> names{"Papyrus", "Grey ramp", "MIP"};
  return names;
}

TransferPreset transferPresetFromIndex(int index) {
  return static_cast<TransferPreset>(std::clamp(index, 0, int(transferPresetNames().size()) - 1));
}

bool presetUsesMip(TransferPreset preset) { return preset == TransferPreset::Mip; }

void applyTransferPreset(TransferPreset preset, double window, double level, vtkVolumeProperty* property) {
  window = std::max(1.0, window);
  const double lo = level - window / 2, hi = level + window / 2;
  auto color = vtkSmartPointer<vtkColorTransferFunction>::New();
  auto opacity = vtkSmartPointer<vtkPiecewiseFunction>::New();
  switch (preset) {
    case TransferPreset::Papyrus:
      color->AddRGBPoint(lo, 0.25, 0.12, 0.05);
      color->AddRGBPoint(lo + 0.5 * window, 0.72, 0.50, 0.28);
      color->AddRGBPoint(hi, 1.0, 0.92, 0.75);
      opacity->AddPoint(0, 0.0);
      opacity->AddPoint(lo + 0.35 * window, 0.0);
      opacity->AddPoint(lo + 0.6 * window, 0.08);
      opacity->AddPoint(hi, 0.5);
      break;
    case TransferPreset::GreyRamp:
      color->AddRGBPoint(lo, 0.0, 0.0, 0.0);
      color->AddRGBPoint(hi, 1.0, 1.0, 1.0);
      opacity->AddPoint(0, 0.0);
      opacity->AddPoint(lo, 0.0);
      opacity->AddPoint(hi, 0.08);
      break;
    case TransferPreset::Mip:
      color->AddRGBPoint(lo, 0.0, 0.0, 0.0);
      color->AddRGBPoint(hi, 1.0, 1.0, 1.0);
      opacity->AddPoint(lo, 0.0);
      opacity->AddPoint(hi, 1.0);
      break;
  }
  property->SetColor(color);
  property->SetScalarOpacity(opacity);
  property->SetInterpolationTypeToLinear();
  // No shading: gradients cost six extra texture reads per sample, too much for llvmpipe.
  property->SetShade(0);
  property->SetAmbient(0.4);
  property->SetDiffuse(0.7);
  property->SetSpecular(0.1);
}

}  // namespace vwb::viewer
