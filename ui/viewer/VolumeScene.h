#pragma once
// The 3D view as a VTK scene: CT volume rendering (GPU ray casting, transfer-function presets),
// the prediction and the ground truth as isosurfaces in their overlay colours, the volume's
// outline and the linked cursor's three axis lines. No Qt types.
//
// Software OpenGL (llvmpipe) sets the budget: surfaces of volumes larger than
// kSurfaceVoxelsPerAxis per axis are extracted from a 2x (3x...) shrunk copy, which cuts the
// triangle count by the square of the factor, and ray casting lowers its image sampling while
// the camera moves (the render window's desired update rate, set by the interactor).
#include <vtkActor.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFlyingEdges3D.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkGPUVolumeRayCastMapper.h>
#include <vtkImageShrink3D.h>
#include <vtkVolume.h>

#include "ui/viewer/TransferPresets.h"
#include "ui/viewer/ViewerTypes.h"
#include "ui/viewer/VolumeImage.h"

namespace vwb::viewer {

inline constexpr int kSurfaceVoxelsPerAxis = 192;

class VolumeScene {
 public:
  VolumeScene();
  VolumeScene(const VolumeScene&) = delete;
  VolumeScene& operator=(const VolumeScene&) = delete;

  vtkRenderer* renderer() const { return renderer_; }

  void setVolumes(const VolumeImage& ct, const VolumeImage& prediction, PredictionKind kind,
                  const VolumeImage& groundTruth);
  void setWindowLevel(double window, double level);
  void setPreset(TransferPreset preset);
  // Threshold changes re-extract the prediction surface on the next render (flying edges).
  void setOverlay(const OverlaySettings& overlay);
  void setVolumeRenderingVisible(bool visible);
  void setCursor(const Voxel& cursor);
  void resetCamera();

  // Triangle count of the prediction surface after the last render (for tests and benchmarks).
  vtkIdType predictionTriangles() const;
  int surfaceShrinkFactor() const { return shrink_; }

 private:
  void updateTransfer();

  Shape3 shape_;
  PredictionKind kind_ = PredictionKind::Probability255;
  OverlaySettings overlay_;
  TransferPreset preset_ = TransferPreset::Papyrus;
  double window_ = 255, level_ = 128;
  int shrink_ = 1;
  bool volumeVisible_ = true, hasPrediction_ = false, hasGroundTruth_ = false;

  vtkSmartPointer<vtkRenderer> renderer_;
  vtkSmartPointer<vtkGPUVolumeRayCastMapper> volumeMapper_;
  vtkSmartPointer<vtkImageShrink3D> predShrink_, gtShrink_;
  vtkSmartPointer<vtkVolume> volume_;
  vtkSmartPointer<vtkFlyingEdges3D> predSurface_;
  vtkSmartPointer<vtkDiscreteFlyingEdges3D> gtSurface_;
  vtkSmartPointer<vtkActor> predActor_, gtActor_, outlineActor_, cursorActor_;
  vtkSmartPointer<vtkPoints> outlinePoints_, cursorPoints_;
  vtkSmartPointer<vtkPolyData> outline_, cursor_;
};

}  // namespace vwb::viewer
