#pragma once
// The 3D viewer: axial, coronal and sagittal slice views and a 3D view with a linked cursor,
// CT window/level and transfer presets, prediction and ground-truth overlays with live
// threshold/opacity, slice navigation by wheel and keys, camera reset and PNG screenshots.
// The scenes (SliceScene, VolumeScene) are Qt-free; this widget wires them to the controls.
#include <array>
#include <memory>

#include <QMetaType>
#include <QString>
#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include "engine/core/Volume.h"
#include "ui/viewer/SliceScene.h"
#include "ui/viewer/StillFrameRenderer.h"
#include "ui/viewer/TransferPresets.h"
#include "ui/viewer/ViewerTypes.h"
#include "ui/viewer/VolumeImage.h"
#include "ui/viewer/VolumeScene.h"

class QLabel;

namespace vwb::viewer {

class ViewerControlPanel;
class VtkHostWidget;

// What the viewer shows. Only ct is required; overlays must have ct's shape.
struct ViewerVolumes {
  std::shared_ptr<const VolumeU8> ct;
  std::shared_ptr<const VolumeU8> prediction;   // probabilities (round(p*255)) or a 0/1 mask
  PredictionKind predictionKind = PredictionKind::Probability255;
  std::shared_ptr<const VolumeU8> groundTruth;  // labels 0/1/2
  QString title;
};

class VolumeViewer : public QWidget {
  Q_OBJECT

 public:
  explicit VolumeViewer(QWidget* parent = nullptr);
  ~VolumeViewer() override;

  // Throws vwb::Error when an overlay's shape differs from the CT's.
  void setVolumes(ViewerVolumes volumes);
  const ViewerVolumes& volumes() const { return volumes_; }

  OverlaySettings overlay() const { return overlay_; }
  void setThreshold(double threshold);
  void setOverlayOpacity(double opacity);
  void setShowPrediction(bool on);
  void setShowGroundTruth(bool on);
  void setWindowLevel(double window, double level);
  void setPreset(TransferPreset preset);
  void setVolumeRenderingVisible(bool on);
  // Side by side: each slice view shows the prediction overlay (left half) and the ground
  // truth (right half) of the same slice, cursor, zoom and pan linked. Needs both overlays;
  // otherwise it stays off. The overlay toggles do not apply while it is on.
  void setCompare(bool on);
  bool compare() const { return compare_; }
  void setCursor(Voxel cursor);
  Voxel cursor() const { return cursor_; }
  void stepSlice(SliceAxis axis, int steps);
  void resetCameras();
  // Writes the whole viewer as a PNG, the 3D view at full quality.
  bool saveScreenshot(const QString& path, QString* error = nullptr);

  // The 3D view's level of detail: coarse while the camera, an overlay setting or the window
  // is changing (at most one coarse frame per kCoarseIntervalMs), full once nothing has changed
  // for kSettleMs (see VolumeScene). The full frame renders on a worker (StillFrameRenderer) and
  // replaces what is shown when it arrives, unless something changed meanwhile. A cursor move (a
  // slice step) renders no 3D frame in the GUI thread at all: the last full frame stays up until
  // the next one arrives. So no 3D frame ever holds up a slice step.
  static constexpr int kSettleMs = 250;
  static constexpr int kCoarseIntervalMs = 100;
  bool view3dInteractive() const { return !stillShown_; }
  bool view3dShowsFullFrame() const { return stillShown_; }
  double lastFullFrameMs() const { return stillMs_; }  // request to delivery

  VtkHostWidget* sliceView(SliceAxis axis) const { return sliceViews_[static_cast<int>(axis)]; }
  VtkHostWidget* view3d() const { return view3d_; }
  ViewerControlPanel* controls() const { return controls_; }
  const SliceScene& sliceScene(SliceAxis axis) const { return *slices_[static_cast<int>(axis)]; }
  // The right half's scene in compare mode.
  const SliceScene& compareScene(SliceAxis axis) const { return *gtSlices_[static_cast<int>(axis)]; }
  const VolumeScene& volumeScene() const { return *scene3d_; }

 Q_SIGNALS:
  void loaded();
  void loadFailed(const QString& message);
  void fullFrameShown();  // the 3D view shows the full-quality frame of the current state
  void cursorChanged(vwb::viewer::Voxel cursor);

 private:
  QWidget* framed(VtkHostWidget* view, QLabel** header);
  void connectControls();
  void connectView(VtkHostWidget* view, int axis);
  void handleKey(int key, Qt::KeyboardModifiers modifiers, int axis);
  void pushOverlay();
  void pushWindowLevel();
  void updateTexts();
  void renderAll();
  void interact3d(bool coarseFrames = true);
  void settle3d();
  void onStillFrame(uint64_t generation, RgbImage image, const std::string& error);

  ViewerVolumes volumes_;
  VolumeImage ct_, prediction_, groundTruth_;
  std::array<std::unique_ptr<SliceScene>, 3> slices_;
  std::array<std::unique_ptr<SliceScene>, 3> gtSlices_;  // right halves in compare mode
  bool compare_ = false;
  std::unique_ptr<VolumeScene> scene3d_;
  std::array<VtkHostWidget*, 3> sliceViews_{};
  std::array<QLabel*, 3> sliceHeaders_{};
  VtkHostWidget* view3d_ = nullptr;
  QLabel* header3d_ = nullptr;
  ViewerControlPanel* controls_ = nullptr;
  Voxel cursor_;
  OverlaySettings overlay_;
  // Runs out kSettleMs after the last change: the 3D view then renders at full quality.
  QTimer settleTimer_;
  QTimer coarseTimer_;  // throttles the coarse 3D frames
  QTimer followTimer_;  // the slice views other than the stepped one, one pass later
  int leadAxis_ = -1;   // the slice view being stepped, during stepSlice
  std::unique_ptr<StillFrameRenderer> still_;
  uint64_t generation_ = 0;  // changes of what the 3D view shows; a full frame is for one
  bool stillShown_ = false, stillRequested_ = false, asyncStill_ = true;
  QElapsedTimer stillClock_;
  double stillMs_ = 0;
  bool syncingControls_ = false;
};

}  // namespace vwb::viewer

Q_DECLARE_METATYPE(vwb::viewer::ViewerVolumes)
