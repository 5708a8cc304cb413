#pragma once
// One orthogonal slice view as a VTK scene: the CT slice (window/level), the prediction and the
// ground truth as coloured overlays and the linked cursor's cross-hair. The layers are coplanar
// image slices shifted a fraction of a voxel towards the camera (invisible under the parallel
// projection), which orders them without vtkImageStack's extra VTK module.
// No Qt types: a VtkHostWidget or an offscreen render window shows renderer().
#include <vtkActor.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkLookupTable.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include "ui/viewer/ViewerTypes.h"
#include "ui/viewer/VolumeImage.h"

namespace vwb::viewer {

// The axis normal to the slice: X = sagittal (y-z plane), Y = coronal (x-z), Z = axial (x-y).
enum class SliceAxis { X = 0, Y = 1, Z = 2 };
const char* sliceAxisName(SliceAxis axis);  // "Sagittal", "Coronal", "Axial"

class SliceScene {
 public:
  explicit SliceScene(SliceAxis axis);
  SliceScene(const SliceScene&) = delete;
  SliceScene& operator=(const SliceScene&) = delete;

  vtkRenderer* renderer() const { return renderer_; }
  SliceAxis axis() const { return axis_; }

  // prediction and groundTruth may be empty (no overlay). Shapes must match ct's.
  void setVolumes(const VolumeImage& ct, const VolumeImage& prediction, PredictionKind kind,
                  const VolumeImage& groundTruth);
  void setCursor(const Voxel& cursor);  // moves the slice to cursor[axis] and the cross-hair
  int slice() const { return cursor_[static_cast<int>(axis_)]; }
  int sliceCount() const;
  void setWindowLevel(double window, double level);
  void setOverlay(const OverlaySettings& overlay);
  void setCursorVisible(bool visible);

  // Fits the slice into the viewport (parallel projection, image rows downwards).
  void resetCamera();
  // Uses the leader's camera from now on (side-by-side views zoom and pan together).
  void shareCamera(const SliceScene& leader);
  // The voxel under a display position (VTK convention: pixels, origin bottom-left);
  // false outside the volume or outside this renderer's viewport. Needs the renderer to be in
  // a sized render window.
  bool voxelAtDisplay(double x, double y, Voxel* out) const;

 private:
  void placeSlice();
  void updateCrossHair();

  SliceAxis axis_;
  Shape3 shape_;
  Voxel cursor_;
  PredictionKind kind_ = PredictionKind::Probability255;
  OverlaySettings overlay_;
  bool hasPrediction_ = false, hasGroundTruth_ = false;

  vtkSmartPointer<vtkRenderer> renderer_;
  vtkSmartPointer<vtkImageSliceMapper> ctMapper_, predMapper_, gtMapper_;
  vtkSmartPointer<vtkImageSlice> ctSlice_, predSlice_, gtSlice_;
  vtkSmartPointer<vtkLookupTable> predLut_, gtLut_;
  vtkSmartPointer<vtkPoints> crossPoints_;
  vtkSmartPointer<vtkPolyData> cross_;
  vtkSmartPointer<vtkActor> crossActor_;
};

}  // namespace vwb::viewer
