#include "ui/viewer/SliceScene.h"

#include <algorithm>
#include <cmath>

#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkImageProperty.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>

#include "engine/core/Error.h"
#include "ui/viewer/OverlayLookupTables.h"

namespace vwb::viewer {
namespace {

vtkSmartPointer<vtkImageSlice> makeLayer(vtkImageSliceMapper* mapper, int layer) {
  auto slice = vtkSmartPointer<vtkImageSlice>::New();
  slice->SetMapper(mapper);
  slice->GetProperty()->SetLayerNumber(layer);
  slice->GetProperty()->SetInterpolationTypeToNearest();
  return slice;
}

// Camera direction and view-up per slice axis, chosen so that x runs right and the other
// in-plane axis (y for axial, z otherwise) runs down, like image rows.
struct ViewFrame {
  double direction[3];
  double up[3];
};
ViewFrame frameFor(SliceAxis axis) {
  switch (axis) {
    case SliceAxis::X: return {{1, 0, 0}, {0, 0, -1}};
    case SliceAxis::Y: return {{0, -1, 0}, {0, 0, -1}};
    case SliceAxis::Z: default: return {{0, 0, 1}, {0, -1, 0}};
  }
}

int extentOf(const Shape3& s, int axis) {
  return static_cast<int>(axis == 0 ? s.w : axis == 1 ? s.h : s.d);
}

}  // namespace

const char* sliceAxisName(SliceAxis axis) {
  switch (axis) {
    case SliceAxis::X: return "Sagittal";
    case SliceAxis::Y: return "Coronal";
    case SliceAxis::Z: return "Axial";
  }
  return "?";
}

SliceScene::SliceScene(SliceAxis axis) : axis_(axis) {
  renderer_ = vtkSmartPointer<vtkRenderer>::New();
  renderer_->SetBackground(0.08, 0.08, 0.1);
  renderer_->GetActiveCamera()->ParallelProjectionOn();

  ctMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
  predMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
  gtMapper_ = vtkSmartPointer<vtkImageSliceMapper>::New();
  for (auto* m : {ctMapper_.Get(), predMapper_.Get(), gtMapper_.Get()}) {
    m->SetOrientation(static_cast<int>(axis));
    m->SliceAtFocalPointOff();
    m->SliceFacesCameraOff();
  }
  ctSlice_ = makeLayer(ctMapper_, 0);
  ctSlice_->GetProperty()->SetInterpolationTypeToLinear();
  predSlice_ = makeLayer(predMapper_, 1);
  gtSlice_ = makeLayer(gtMapper_, 2);
  predLut_ = makeOverlayLut();
  gtLut_ = makeOverlayLut();
  for (auto [slice, lut] : {std::pair{predSlice_.Get(), predLut_.Get()}, {gtSlice_.Get(), gtLut_.Get()}}) {
    slice->GetProperty()->SetLookupTable(lut);
    slice->GetProperty()->UseLookupTableScalarRangeOn();
  }
  // Overlays sit 0.2 and 0.4 voxel nearer the camera than the CT, the cross-hair 0.5.
  const ViewFrame f = frameFor(axis);
  for (auto [slice, lift] : {std::pair{predSlice_.Get(), 0.2}, {gtSlice_.Get(), 0.4}})
    slice->SetPosition(-f.direction[0] * lift, -f.direction[1] * lift, -f.direction[2] * lift);
  for (auto* slice : {ctSlice_.Get(), predSlice_.Get(), gtSlice_.Get()}) {
    slice->VisibilityOff();
    renderer_->AddViewProp(slice);
  }

  // The cross-hair: two lines through the cursor, rebuilt in place when the cursor moves.
  crossPoints_ = vtkSmartPointer<vtkPoints>::New();
  crossPoints_->SetNumberOfPoints(4);
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  vtkIdType a[2] = {0, 1}, b[2] = {2, 3};
  lines->InsertNextCell(2, a);
  lines->InsertNextCell(2, b);
  cross_ = vtkSmartPointer<vtkPolyData>::New();
  cross_->SetPoints(crossPoints_);
  cross_->SetLines(lines);
  auto crossMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  crossMapper->SetInputData(cross_);
  crossActor_ = vtkSmartPointer<vtkActor>::New();
  crossActor_->SetMapper(crossMapper);
  crossActor_->GetProperty()->SetColor(kCursorColor[0], kCursorColor[1], kCursorColor[2]);
  crossActor_->GetProperty()->SetOpacity(0.6);
  crossActor_->GetProperty()->LightingOff();
  crossActor_->PickableOff();
  crossActor_->VisibilityOff();
  renderer_->AddActor(crossActor_);
}

void SliceScene::shareCamera(const SliceScene& leader) {
  renderer_->SetActiveCamera(leader.renderer_->GetActiveCamera());
}

int SliceScene::sliceCount() const { return extentOf(shape_, static_cast<int>(axis_)); }

void SliceScene::setVolumes(const VolumeImage& ct, const VolumeImage& prediction,
                            PredictionKind kind, const VolumeImage& groundTruth) {
  if (ct.empty()) {
    for (auto* slice : {ctSlice_.Get(), predSlice_.Get(), gtSlice_.Get()}) slice->VisibilityOff();
    crossActor_->VisibilityOff();
    shape_ = {};
    return;
  }
  for (const VolumeImage* v : {&prediction, &groundTruth})
    if (!v->empty() && v->shape() != ct.shape())
      throw Error("overlay " + v->shape().str() + " does not match the volume " + ct.shape().str());
  shape_ = ct.shape();
  kind_ = kind;
  hasPrediction_ = !prediction.empty();
  hasGroundTruth_ = !groundTruth.empty();
  ctMapper_->SetInputData(ct.image());
  // An absent overlay still gets an input so that its mapper stays valid: reuse the CT, hidden.
  predMapper_->SetInputData(hasPrediction_ ? prediction.image() : ct.image());
  gtMapper_->SetInputData(hasGroundTruth_ ? groundTruth.image() : ct.image());
  ctSlice_->VisibilityOn();
  crossActor_->VisibilityOn();
  cursor_ = {static_cast<int>(shape_.w / 2), static_cast<int>(shape_.h / 2), static_cast<int>(shape_.d / 2)};
  setOverlay(overlay_);
  placeSlice();
  resetCamera();
}

void SliceScene::setCursor(const Voxel& cursor) {
  if (shape_.empty()) return;
  cursor_ = cursor;
  for (int a = 0; a < 3; ++a) cursor_[a] = std::clamp(cursor_[a], 0, extentOf(shape_, a) - 1);
  placeSlice();
}

void SliceScene::setWindowLevel(double window, double level) {
  ctSlice_->GetProperty()->SetColorWindow(std::max(1.0, window));
  ctSlice_->GetProperty()->SetColorLevel(level);
}

void SliceScene::setOverlay(const OverlaySettings& overlay) {
  overlay_ = overlay;
  fillPredictionLut(predLut_, kind_, overlay.threshold, overlay.opacity);
  fillGroundTruthLut(gtLut_, overlay.opacity);
  predSlice_->SetVisibility(hasPrediction_ && overlay.showPrediction);
  gtSlice_->SetVisibility(hasGroundTruth_ && overlay.showGroundTruth);
}

void SliceScene::setCursorVisible(bool visible) { crossActor_->SetVisibility(visible && !shape_.empty()); }

void SliceScene::placeSlice() {
  const int s = slice();
  for (auto* m : {ctMapper_.Get(), predMapper_.Get(), gtMapper_.Get()}) m->SetSliceNumber(s);
  updateCrossHair();
}

void SliceScene::updateCrossHair() {
  const int n = static_cast<int>(axis_);
  const int u = n == 0 ? 1 : 0;  // horizontal in-plane axis
  const int v = n == 2 ? 1 : 2;  // vertical in-plane axis
  // Lift the lines half a voxel towards the camera so that the image never hides them.
  const double lift = slice() - 0.5 * frameFor(axis_).direction[n];
  auto point = [&](double pu, double pv) {
    double p[3];
    p[n] = lift;
    p[u] = pu;
    p[v] = pv;
    return std::array<double, 3>{p[0], p[1], p[2]};
  };
  const double uMax = extentOf(shape_, u) - 0.5, vMax = extentOf(shape_, v) - 0.5;
  const auto p0 = point(-0.5, cursor_[v]), p1 = point(uMax, cursor_[v]);
  const auto p2 = point(cursor_[u], -0.5), p3 = point(cursor_[u], vMax);
  crossPoints_->SetPoint(0, p0.data());
  crossPoints_->SetPoint(1, p1.data());
  crossPoints_->SetPoint(2, p2.data());
  crossPoints_->SetPoint(3, p3.data());
  crossPoints_->Modified();
  cross_->Modified();
}

void SliceScene::resetCamera() {
  if (shape_.empty()) return;
  const int n = static_cast<int>(axis_);
  const int u = n == 0 ? 1 : 0, v = n == 2 ? 1 : 2;
  const ViewFrame f = frameFor(axis_);
  double centre[3] = {(shape_.w - 1) / 2.0, (shape_.h - 1) / 2.0, (shape_.d - 1) / 2.0};
  const double distance = 4.0 * std::max({shape_.w, shape_.h, shape_.d});
  vtkCamera* cam = renderer_->GetActiveCamera();
  cam->SetFocalPoint(centre);
  cam->SetPosition(centre[0] - f.direction[0] * distance, centre[1] - f.direction[1] * distance,
                   centre[2] - f.direction[2] * distance);
  cam->SetViewUp(f.up);
  // Fit the whole slice: the parallel scale is half the visible height.
  int* size = renderer_->GetSize();
  const double aspect = (size && size[0] > 0 && size[1] > 0) ? double(size[0]) / size[1] : 1.0;
  const double halfW = extentOf(shape_, u) / 2.0, halfH = extentOf(shape_, v) / 2.0;
  cam->SetParallelScale(1.03 * std::max(halfH, halfW / aspect));
  renderer_->ResetCameraClippingRange();
  // Keep the whole volume depth inside the clipping range, so any slice stays visible.
  cam->SetClippingRange(distance - 2.0 * extentOf(shape_, n) - 2, distance + 2.0 * extentOf(shape_, n) + 2);
}

bool SliceScene::voxelAtDisplay(double x, double y, Voxel* out) const {
  if (shape_.empty() || !renderer_->GetRenderWindow()) return false;
  // Two scenes can share a window side by side: a point in the other one's half is not ours.
  if (!renderer_->IsInViewport(static_cast<int>(x), static_cast<int>(y))) return false;
  renderer_->SetDisplayPoint(x, y, 0.0);
  renderer_->DisplayToWorld();
  double w[4];
  renderer_->GetWorldPoint(w);
  if (w[3] == 0.0) return false;
  Voxel v = cursor_;
  const int n = static_cast<int>(axis_);
  for (int a = 0; a < 3; ++a) {
    if (a == n) continue;
    const int i = static_cast<int>(std::lround(w[a] / w[3]));
    if (i < 0 || i >= extentOf(shape_, a)) return false;
    v[a] = i;
  }
  *out = v;
  return true;
}

}  // namespace vwb::viewer
