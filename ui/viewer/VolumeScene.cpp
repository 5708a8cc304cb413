#include "ui/viewer/VolumeScene.h"

#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkVolumeProperty.h>

#include <algorithm>

#include "engine/core/Error.h"

namespace vwb::viewer {
namespace {

vtkSmartPointer<vtkActor> lineActor(vtkPolyData* lines, const Rgb& color, double opacity) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(lines);
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(color[0], color[1], color[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  return actor;
}

// Poly data made of `segments` two-point lines over `points` (positions filled in later).
vtkSmartPointer<vtkPolyData> linePolyData(vtkPoints* points, int segments) {
  points->SetNumberOfPoints(2 * segments);
  for (vtkIdType i = 0; i < 2 * segments; ++i) points->SetPoint(i, 0, 0, 0);
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  for (vtkIdType i = 0; i < segments; ++i) {
    vtkIdType ids[2] = {2 * i, 2 * i + 1};
    cells->InsertNextCell(2, ids);
  }
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(points);
  poly->SetLines(cells);
  return poly;
}

}  // namespace

VolumeScene::VolumeScene() {
  renderer_ = vtkSmartPointer<vtkRenderer>::New();
  renderer_->SetBackground(0.05, 0.05, 0.07);
  renderer_->SetBackground2(0.18, 0.2, 0.25);
  renderer_->GradientBackgroundOn();

  // Still level: one sample per voxel along the ray, one ray per pixel. Interactive level: the
  // CT averaged down by the interactive factor, one sample per coarse voxel, one ray per 2x2
  // pixels. Fixed, not auto-adjusted: the level is chosen by setInteractive, and a frame's
  // cost should not depend on how long the previous one took.
  volumeMapper_ = vtkSmartPointer<vtkGPUVolumeRayCastMapper>::New();
  volumeMapper_->AutoAdjustSampleDistancesOff();
  volumeMapper_->SetSampleDistance(1.0f);
  volumeMapper_->SetImageSampleDistance(1.0f);
  ctShrink_ = vtkSmartPointer<vtkImageShrink3D>::New();
  ctShrink_->AveragingOn();
  coarseMapper_ = vtkSmartPointer<vtkGPUVolumeRayCastMapper>::New();
  coarseMapper_->AutoAdjustSampleDistancesOff();
  coarseMapper_->SetImageSampleDistance(2.0f);
  auto property = vtkSmartPointer<vtkVolumeProperty>::New();
  volume_ = vtkSmartPointer<vtkVolume>::New();
  volume_->SetMapper(volumeMapper_);
  volume_->SetProperty(property);
  volume_->VisibilityOff();
  renderer_->AddVolume(volume_);
  coarseVolume_ = vtkSmartPointer<vtkVolume>::New();
  coarseVolume_->SetMapper(coarseMapper_);
  coarseVolume_->SetProperty(property);  // one transfer function for both levels
  coarseVolume_->VisibilityOff();
  renderer_->AddVolume(coarseVolume_);

  predSurface_ = std::make_unique<OverlaySurface>(OverlaySurface::Kind::Probability, kPredictionColor, renderer_);
  gtSurface_ = std::make_unique<OverlaySurface>(OverlaySurface::Kind::Label, kGroundTruthColor, renderer_);

  outlinePoints_ = vtkSmartPointer<vtkPoints>::New();
  outline_ = linePolyData(outlinePoints_, 12);
  outlineActor_ = lineActor(outline_, {0.7, 0.7, 0.75}, 0.8);
  outlineActor_->VisibilityOff();
  renderer_->AddActor(outlineActor_);
  cursorPoints_ = vtkSmartPointer<vtkPoints>::New();
  cursor_ = linePolyData(cursorPoints_, 3);
  cursorActor_ = lineActor(cursor_, kCursorColor, 0.8);
  cursorActor_->VisibilityOff();
  renderer_->AddActor(cursorActor_);
}

void VolumeScene::setVolumes(const VolumeImage& ct, const VolumeImage& prediction,
                             PredictionKind kind, const VolumeImage& groundTruth) {
  shape_ = ct.shape();
  kind_ = kind;
  hasPrediction_ = !prediction.empty();
  hasGroundTruth_ = !groundTruth.empty();
  if (ct.empty()) {
    for (vtkProp* p : {(vtkProp*)outlineActor_, (vtkProp*)cursorActor_}) p->VisibilityOff();
    predSurface_->setImage(nullptr, 1, 1);
    gtSurface_->setImage(nullptr, 1, 1);
    updateLevel();
    return;
  }
  for (const VolumeImage* v : {&prediction, &groundTruth})
    if (!v->empty() && v->shape() != ct.shape())
      throw Error("overlay " + v->shape().str() + " does not match the volume " + ct.shape().str());
  const int64_t longest = std::max({shape_.d, shape_.h, shape_.w});
  shrink_ = static_cast<int>((longest + kSurfaceVoxelsPerAxis - 1) / kSurfaceVoxelsPerAxis);
  interactiveShrink_ = static_cast<int>((longest + kInteractiveVoxelsPerAxis - 1) / kInteractiveVoxelsPerAxis);
  const int surfaceLod = static_cast<int>((longest + kInteractiveSurfaceVoxelsPerAxis - 1) / kInteractiveSurfaceVoxelsPerAxis);
  volumeMapper_->SetInputData(ct.image());
  if (interactiveShrink_ > 1) {
    ctShrink_->SetInputData(ct.image());
    ctShrink_->SetShrinkFactors(interactiveShrink_, interactiveShrink_, interactiveShrink_);
    coarseMapper_->SetInputConnection(ctShrink_->GetOutputPort());
  } else {
    coarseMapper_->SetInputData(ct.image());
  }
  coarseMapper_->SetSampleDistance(static_cast<float>(interactiveShrink_));
  predSurface_->setImage(hasPrediction_ ? prediction.image() : nullptr, shrink_, surfaceLod);
  gtSurface_->setImage(hasGroundTruth_ ? groundTruth.image() : nullptr, shrink_, surfaceLod);

  // The twelve edges of the volume's box.
  const double X = shape_.w - 1, Y = shape_.h - 1, Z = shape_.d - 1;
  const double corners[8][3] = {{0, 0, 0}, {X, 0, 0}, {X, Y, 0}, {0, Y, 0},
                                {0, 0, Z}, {X, 0, Z}, {X, Y, Z}, {0, Y, Z}};
  const int edges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                            {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
  for (int e = 0; e < 12; ++e) {
    outlinePoints_->SetPoint(2 * e, corners[edges[e][0]]);
    outlinePoints_->SetPoint(2 * e + 1, corners[edges[e][1]]);
  }
  outlinePoints_->Modified();
  outline_->Modified();
  outlineActor_->VisibilityOn();
  cursorActor_->VisibilityOn();
  updateLevel();
  setCursor({int(shape_.w / 2), int(shape_.h / 2), int(shape_.d / 2)});
  updateTransfer();
  setOverlay(overlay_);
  resetCamera();
}

void VolumeScene::setWindowLevel(double window, double level) {
  window_ = window;
  level_ = level;
  updateTransfer();
}

void VolumeScene::setPreset(TransferPreset preset) {
  preset_ = preset;
  updateTransfer();
}

void VolumeScene::updateTransfer() {
  applyTransferPreset(preset_, window_, level_, volume_->GetProperty());
  if (presetUsesMip(preset_))
    volumeMapper_->SetBlendModeToMaximumIntensity();
  else
    volumeMapper_->SetBlendModeToComposite();
}

void VolumeScene::setOverlay(const OverlaySettings& overlay) {
  overlay_ = overlay;
  // Flying edges interpolates: the surface between 'below' and 'at or above' the threshold byte.
  const double iso = kind_ == PredictionKind::Probability255 ? thresholdByte(overlay.threshold) - 0.5 : 0.5;
  predSurface_->setIsoValue(iso);
  predSurface_->setVisible(hasPrediction_ && overlay.showPrediction && !shape_.empty());
  gtSurface_->setVisible(hasGroundTruth_ && overlay.showGroundTruth && !shape_.empty());
  // Surfaces stay at least half opaque: fully translucent surfaces over a volume rendering
  // carry no shape without depth peeling, which llvmpipe cannot afford at interactive rates.
  const double surfaceOpacity = 0.5 + 0.5 * overlay.opacity;
  predSurface_->setOpacity(surfaceOpacity);
  gtSurface_->setOpacity(surfaceOpacity);
}

void VolumeScene::setVolumeRenderingVisible(bool visible) {
  volumeVisible_ = visible;
  updateLevel();
}

void VolumeScene::setInteractive(bool interactive) {
  interactive_ = interactive;
  updateLevel();
}

void VolumeScene::updateLevel() {
  const bool volumeOn = volumeVisible_ && !shape_.empty();
  volume_->SetVisibility(volumeOn && !interactive_);
  coarseVolume_->SetVisibility(volumeOn && interactive_);
  predSurface_->setInteractive(interactive_);
  gtSurface_->setInteractive(interactive_);
}

bool VolumeScene::fullVolumeShown() const { return volume_->GetVisibility() != 0; }
bool VolumeScene::coarseVolumeShown() const { return coarseVolume_->GetVisibility() != 0; }

void VolumeScene::setCursor(const Voxel& c) {
  if (shape_.empty()) return;
  const double X = shape_.w - 1, Y = shape_.h - 1, Z = shape_.d - 1;
  cursorPoints_->SetPoint(0, 0, c.y, c.z);
  cursorPoints_->SetPoint(1, X, c.y, c.z);
  cursorPoints_->SetPoint(2, c.x, 0, c.z);
  cursorPoints_->SetPoint(3, c.x, Y, c.z);
  cursorPoints_->SetPoint(4, c.x, c.y, 0);
  cursorPoints_->SetPoint(5, c.x, c.y, Z);
  cursorPoints_->Modified();
  cursor_->Modified();
}

void VolumeScene::resetCamera() {
  if (shape_.empty()) return;
  vtkCamera* cam = renderer_->GetActiveCamera();
  const double c[3] = {(shape_.w - 1) / 2.0, (shape_.h - 1) / 2.0, (shape_.d - 1) / 2.0};
  cam->SetFocalPoint(c);
  // An oblique view from above the first slice, z pointing down like the slice views.
  cam->SetPosition(c[0] + 1.0, c[1] + 1.6, c[2] - 1.3);
  cam->SetViewUp(0, 0, -1);
  cam->ParallelProjectionOff();
  const double bounds[6] = {0, double(shape_.w - 1), 0, double(shape_.h - 1), 0, double(shape_.d - 1)};
  renderer_->ResetCamera(bounds);
  cam->Zoom(1.15);
  renderer_->ResetCameraClippingRange(bounds);
}

vtkIdType VolumeScene::predictionTriangles(bool interactive) const {
  return predSurface_->triangles(interactive);
}

}  // namespace vwb::viewer
