#pragma once
// The 3D view as a VTK scene: CT volume rendering (GPU ray casting, transfer-function presets),
// the prediction and the ground truth as isosurfaces in their overlay colours, the volume's
// outline and the linked cursor's three axis lines. No Qt types.
//
// Software OpenGL (llvmpipe) sets the budget, so the scene has two levels of detail:
// - still: the full CT (one ray sample per voxel); surfaces of volumes larger than
//   kSurfaceVoxelsPerAxis per axis come from a 2x (3x...) shrunk copy (triangles fall with
//   the square of the factor);
// - interactive (setInteractive(true), while the user drags the camera or the cursor): a CT
//   averaged down to at most kInteractiveVoxelsPerAxis per axis, ray cast with samples and
//   rays spaced to match, and surfaces on a grid of at most kInteractiveSurfaceVoxelsPerAxis
//   (OverlaySurface; triangles cost most on llvmpipe: 500k take ~150 ms, 30k ~10 ms).
//   Both levels are built once per volume (lazily, on their first render) and kept, so
//   switching costs no extraction.
#include <memory>

#include <vtkActor.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkGPUVolumeRayCastMapper.h>
#include <vtkImageShrink3D.h>
#include <vtkVolume.h>

#include "ui/viewer/OverlaySurface.h"
#include "ui/viewer/TransferPresets.h"
#include "ui/viewer/ViewerTypes.h"
#include "ui/viewer/VolumeImage.h"

namespace vwb::viewer {

inline constexpr int kSurfaceVoxelsPerAxis = 192;
inline constexpr int kInteractiveVoxelsPerAxis = 160;
inline constexpr int kInteractiveSurfaceVoxelsPerAxis = 40;

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

  // Switches between the coarse (true) and the full (false) level of detail.
  void setInteractive(bool interactive);
  bool interactive() const { return interactive_; }

  // Triangle count of the prediction surface of one level after its last render (tests, bench).
  vtkIdType predictionTriangles(bool interactive = false) const;
  int surfaceShrinkFactor() const { return shrink_; }
  int interactiveShrinkFactor() const { return interactiveShrink_; }  // of the CT
  // Which CT rendering is on: the full volume (still) or the coarse one (interactive).
  bool fullVolumeShown() const;
  bool coarseVolumeShown() const;

 private:
  void updateTransfer();
  void updateLevel();

  Shape3 shape_;
  PredictionKind kind_ = PredictionKind::Probability255;
  OverlaySettings overlay_;
  TransferPreset preset_ = TransferPreset::Papyrus;
  double window_ = 255, level_ = 128;
  int shrink_ = 1, interactiveShrink_ = 1;
  bool volumeVisible_ = true, hasPrediction_ = false, hasGroundTruth_ = false, interactive_ = false;

  vtkSmartPointer<vtkRenderer> renderer_;
  vtkSmartPointer<vtkGPUVolumeRayCastMapper> volumeMapper_, coarseMapper_;
  vtkSmartPointer<vtkImageShrink3D> ctShrink_;
  vtkSmartPointer<vtkVolume> volume_, coarseVolume_;
  std::unique_ptr<OverlaySurface> predSurface_, gtSurface_;
  vtkSmartPointer<vtkActor> outlineActor_, cursorActor_;
  vtkSmartPointer<vtkPoints> outlinePoints_, cursorPoints_;
  vtkSmartPointer<vtkPolyData> outline_, cursor_;
};

}  // namespace vwb::viewer
