#pragma once
// One overlay (the prediction or the ground truth) as an isosurface at two levels of detail:
// a still surface, and a coarse one shown while the user moves the camera. No Qt types.
//
// Still: probabilities are averaged down by `stillShrink` (a smoother surface), labels are
// subsampled (categories never average). Interactive: both are max-pooled by
// `interactiveShrink`, so that sheets thinner than the pooling block stay visible (averaging
// would sink a 3-voxel sheet below the threshold); the coarser grid has far fewer triangles,
// which is what llvmpipe pays for. Each level is extracted lazily, on its first render.
#include <vtkActor.h>
#include <vtkAlgorithm.h>
#include <vtkImageData.h>
#include <vtkImageShrink3D.h>
#include <vtkImageThreshold.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include "ui/viewer/ViewerTypes.h"

namespace vwb::viewer {

class OverlaySurface {
 public:
  // Probability: the surface at an iso value (setIsoValue). Label: the surface of label 1.
  enum class Kind { Probability, Label };

  OverlaySurface(Kind kind, const Rgb& color, vtkRenderer* renderer);
  OverlaySurface(const OverlaySurface&) = delete;
  OverlaySurface& operator=(const OverlaySurface&) = delete;

  // image may be null (no overlay: never visible).
  void setImage(vtkImageData* image, int stillShrink, int interactiveShrink);
  void setIsoValue(double iso);
  void setVisible(bool visible);
  void setOpacity(double opacity);
  void setInteractive(bool interactive);

  // Triangles of one level after its last extraction (0 before the first render).
  vtkIdType triangles(bool interactive) const;
  bool shown(bool interactive) const;

 private:
  void updateVisibility();

  Kind kind_;
  bool hasImage_ = false, visible_ = false, interactive_ = false;
  vtkSmartPointer<vtkImageShrink3D> stillShrink_, fastShrink_;
  vtkSmartPointer<vtkImageThreshold> labelOne_;  // Label: label 1 -> 1, anything else -> 0
  vtkSmartPointer<vtkAlgorithm> stillSurface_, fastSurface_;
  vtkSmartPointer<vtkActor> stillActor_, fastActor_;
};

}  // namespace vwb::viewer
