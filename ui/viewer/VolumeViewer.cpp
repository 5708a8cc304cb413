#include "ui/viewer/VolumeViewer.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/viewer/ViewerControlPanel.h"
#include "ui/viewer/VtkHostWidget.h"

#include <vtkCamera.h>

namespace vwb::viewer {
namespace {

const SliceAxis kAxes[3] = {SliceAxis::X, SliceAxis::Y, SliceAxis::Z};

// Window/level from the 1st and 99.5th intensity percentiles, so that noise does not wash out.
std::pair<double, double> autoWindowLevel(const VolumeU8& v) {
  int64_t hist[256] = {};
  for (uint8_t x : v.data) ++hist[x];
  const int64_t n = static_cast<int64_t>(v.data.size());
  int lo = 0, hi = 255;
  for (int64_t acc = 0; lo < 255 && (acc += hist[lo]) < n / 100;) ++lo;
  for (int64_t acc = 0; hi > 0 && (acc += hist[hi]) < n / 200;) --hi;
  if (hi <= lo) return {255.0, 127.5};
  return {double(hi - lo), (hi + lo) / 2.0};
}

}  // namespace

VolumeViewer::VolumeViewer(QWidget* parent) : QWidget(parent) {
  for (int a = 0; a < 3; ++a) {
    slices_[a] = std::make_unique<SliceScene>(kAxes[a]);
    gtSlices_[a] = std::make_unique<SliceScene>(kAxes[a]);
    gtSlices_[a]->shareCamera(*slices_[a]);
    sliceViews_[a] = new VtkHostWidget(VtkHostWidget::Interaction::Slice);
    sliceViews_[a]->setRenderer(slices_[a]->renderer());
  }
  scene3d_ = std::make_unique<VolumeScene>();
  view3d_ = new VtkHostWidget(VtkHostWidget::Interaction::Camera3D);
  view3d_->setRenderer(scene3d_->renderer());
  controls_ = new ViewerControlPanel;

  // Axial top-left (the view users look at first), 3D top-right, coronal and sagittal below.
  auto* grid = new QGridLayout;
  grid->setSpacing(3);
  grid->addWidget(framed(sliceViews_[2], &sliceHeaders_[2]), 0, 0);
  grid->addWidget(framed(view3d_, &header3d_), 0, 1);
  grid->addWidget(framed(sliceViews_[1], &sliceHeaders_[1]), 1, 0);
  grid->addWidget(framed(sliceViews_[0], &sliceHeaders_[0]), 1, 1);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(grid, 1);
  layout->addWidget(controls_);

  settleTimer_.setSingleShot(true);
  settleTimer_.setInterval(kSettleMs);
  connect(&settleTimer_, &QTimer::timeout, this, &VolumeViewer::settle3d);
  followTimer_.setSingleShot(true);
  followTimer_.setInterval(0);
  connect(&followTimer_, &QTimer::timeout, this, &VolumeViewer::renderAll);
  coarseTimer_.setSingleShot(true);
  coarseTimer_.setInterval(kCoarseIntervalMs);
  connect(&coarseTimer_, &QTimer::timeout, view3d_, qOverload<>(&QWidget::update));
  // The worker delivers on its own thread; the frame is shown from the GUI thread.
  still_ = std::make_unique<StillFrameRenderer>([this](uint64_t generation, RgbImage image, std::string error) {
    QMetaObject::invokeMethod(this, [this, generation, image = std::move(image), error]() mutable {
      onStillFrame(generation, std::move(image), error);
    }, Qt::QueuedConnection);
  });
  // A drag holds the coarse level until the button is released; a wheel step (a whole
  // interaction at once) renders coarse and settles after the pause.
  connect(view3d_, &VtkHostWidget::interactionStarted, this, [this] {
    interact3d();
    settleTimer_.stop();
  });
  connect(view3d_, &VtkHostWidget::interactionEnded, this, [this] { settleTimer_.start(); });
  connect(view3d_, &VtkHostWidget::resized, this, [this] { interact3d(); });
  connectControls();
  for (int a = 0; a < 3; ++a) connectView(sliceViews_[a], a);
  connectView(view3d_, -1);
  for (VtkHostWidget* v : {sliceViews_[0], sliceViews_[1], sliceViews_[2], view3d_})
    connect(v, &VtkHostWidget::framePainted, this, [this] { updateTexts(); });
  pushWindowLevel();
  pushOverlay();
  updateTexts();
}

VolumeViewer::~VolumeViewer() {
  still_.reset();  // joins the worker: nothing is delivered to a viewer being destroyed
  // The views hold GL resources made from the scenes' data: close them while it is alive.
  for (auto*& v : sliceViews_) delete std::exchange(v, nullptr);
  delete std::exchange(view3d_, nullptr);
}

QWidget* VolumeViewer::framed(VtkHostWidget* view, QLabel** header) {
  auto* box = new QWidget;
  auto* l = new QVBoxLayout(box);
  l->setContentsMargins(0, 0, 0, 0);
  l->setSpacing(1);
  *header = new QLabel;
  (*header)->setStyleSheet("QLabel { background: #23262e; color: #d8dce6; padding: 2px 6px; }");
  l->addWidget(*header);
  l->addWidget(view, 1);
  return box;
}

void VolumeViewer::connectControls() {
  auto* c = controls_;
  connect(c->windowSlider, &QSlider::valueChanged, this, [this] { if (!syncingControls_) pushWindowLevel(); });
  connect(c->levelSlider, &QSlider::valueChanged, this, [this] { if (!syncingControls_) pushWindowLevel(); });
  connect(c->presetCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int i) { setPreset(transferPresetFromIndex(i)); });
  connect(c->volumeRenderingCheck, &QCheckBox::toggled, this, &VolumeViewer::setVolumeRenderingVisible);
  connect(c->predictionCheck, &QCheckBox::toggled, this, &VolumeViewer::setShowPrediction);
  connect(c->groundTruthCheck, &QCheckBox::toggled, this, &VolumeViewer::setShowGroundTruth);
  connect(c->compareCheck, &QCheckBox::toggled, this, &VolumeViewer::setCompare);
  connect(c->thresholdSlider, &QSlider::valueChanged, this,
          [this](int v) { setThreshold(v / double(ViewerControlPanel::kThresholdScale)); });
  connect(c->opacitySlider, &QSlider::valueChanged, this,
          [this](int v) { setOverlayOpacity(v / double(ViewerControlPanel::kOpacityScale)); });
  for (int a = 0; a < 3; ++a)
    connect(c->cursorSpin[a], qOverload<int>(&QSpinBox::valueChanged), this, [this, a](int v) {
      if (syncingControls_) return;
      Voxel p = cursor_;
      p[a] = v;
      setCursor(p);
    });
  connect(c->resetButton, &QPushButton::clicked, this, &VolumeViewer::resetCameras);
  connect(c->screenshotButton, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save screenshot"), "viewer.png", tr("PNG images (*.png)"));
    QString error;
    if (!path.isEmpty() && !saveScreenshot(path, &error)) QMessageBox::warning(this, tr("Screenshot"), error);
  });
}

void VolumeViewer::connectView(VtkHostWidget* view, int axis) {
  connect(view, &VtkHostWidget::keyPressed, this,
          [this, axis](int key, Qt::KeyboardModifiers m) { handleKey(key, m, axis); });
  if (axis < 0) return;
  connect(view, &VtkHostWidget::resized, this, [this, axis] { slices_[axis]->resetCamera(); });
  connect(view, &VtkHostWidget::leftDown, this, [this, axis](QPointF display, Qt::KeyboardModifiers) {
    Voxel v;
    if (slices_[axis]->voxelAtDisplay(display.x(), display.y(), &v) ||
        (compare_ && gtSlices_[axis]->voxelAtDisplay(display.x(), display.y(), &v)))
      setCursor(v);
  });
  connect(view, &VtkHostWidget::wheelSteps, this, [this, axis](int steps, Qt::KeyboardModifiers m) {
    stepSlice(kAxes[axis], (m & Qt::ShiftModifier) ? steps * 10 : steps);
  });
}

void VolumeViewer::handleKey(int key, Qt::KeyboardModifiers m, int axis) {
  const int fast = (m & Qt::ShiftModifier) ? 10 : 1;
  if (key == Qt::Key_R) {
    resetCameras();
    return;
  }
  if (axis < 0) return;
  switch (key) {
    case Qt::Key_Up: case Qt::Key_Right: stepSlice(kAxes[axis], fast); break;
    case Qt::Key_Down: case Qt::Key_Left: stepSlice(kAxes[axis], -fast); break;
    case Qt::Key_PageUp: stepSlice(kAxes[axis], 10); break;
    case Qt::Key_PageDown: stepSlice(kAxes[axis], -10); break;
    case Qt::Key_Home: stepSlice(kAxes[axis], -1000000); break;
    case Qt::Key_End: stepSlice(kAxes[axis], 1000000); break;
    default: break;
  }
}

void VolumeViewer::setVolumes(ViewerVolumes volumes) {
  VolumeImage ct(volumes.ct), pred(volumes.prediction), gt(volumes.groundTruth);
  for (auto& s : slices_) s->setVolumes(ct, pred, volumes.predictionKind, gt);
  for (auto& s : gtSlices_) s->setVolumes(ct, pred, volumes.predictionKind, gt);
  scene3d_->setVolumes(ct, pred, volumes.predictionKind, gt);
  still_->setVolumes({volumes.ct, volumes.prediction, volumes.groundTruth, volumes.predictionKind});
  volumes_ = std::move(volumes);
  ct_ = ct;
  prediction_ = pred;
  groundTruth_ = gt;

  const Shape3 s = ct_.shape();
  syncingControls_ = true;
  controls_->cursorSpin[0]->setRange(0, std::max<int>(0, s.w - 1));
  controls_->cursorSpin[1]->setRange(0, std::max<int>(0, s.h - 1));
  controls_->cursorSpin[2]->setRange(0, std::max<int>(0, s.d - 1));
  controls_->predictionCheck->setEnabled(!prediction_.empty());
  controls_->groundTruthCheck->setEnabled(!groundTruth_.empty());
  controls_->compareCheck->setEnabled(!prediction_.empty() && !groundTruth_.empty());
  controls_->thresholdSlider->setEnabled(volumes_.predictionKind == PredictionKind::Probability255 && !prediction_.empty());
  syncingControls_ = false;
  setCompare(compare_);  // off when the new volumes lack an overlay
  if (!ct_.empty()) {
    auto [window, level] = autoWindowLevel(ct_.volume());
    setWindowLevel(window, level);
    setCursor({int(s.w / 2), int(s.h / 2), int(s.d / 2)});
  }
  pushOverlay();
  resetCameras();
  settle3d();  // a freshly loaded volume is shown at full quality as soon as the worker has it
}

void VolumeViewer::setThreshold(double threshold) {
  overlay_.threshold = std::clamp(threshold, 0.0, 1.0);
  pushOverlay();
}

void VolumeViewer::setOverlayOpacity(double opacity) {
  overlay_.opacity = std::clamp(opacity, 0.0, 1.0);
  pushOverlay();
}

void VolumeViewer::setShowPrediction(bool on) {
  overlay_.showPrediction = on;
  pushOverlay();
}

void VolumeViewer::setShowGroundTruth(bool on) {
  overlay_.showGroundTruth = on;
  pushOverlay();
}

void VolumeViewer::pushOverlay() {
  syncingControls_ = true;
  const QSignalBlocker b1(controls_->thresholdSlider), b2(controls_->opacitySlider),
      b3(controls_->predictionCheck), b4(controls_->groundTruthCheck);
  controls_->thresholdSlider->setValue(qRound(overlay_.threshold * ViewerControlPanel::kThresholdScale));
  controls_->opacitySlider->setValue(qRound(overlay_.opacity * ViewerControlPanel::kOpacityScale));
  controls_->predictionCheck->setChecked(overlay_.showPrediction);
  controls_->groundTruthCheck->setChecked(overlay_.showGroundTruth);
  controls_->refreshValueTexts();
  syncingControls_ = false;
  if (compare_) {
    OverlaySettings left = overlay_, right = overlay_;
    left.showPrediction = right.showGroundTruth = true;
    left.showGroundTruth = right.showPrediction = false;
    for (auto& s : slices_) s->setOverlay(left);
    for (auto& s : gtSlices_) s->setOverlay(right);
  } else {
    for (auto& s : slices_) s->setOverlay(overlay_);
  }
  // The coarse surface follows the slider live; the full one is extracted once it rests.
  scene3d_->setOverlay(overlay_);
  interact3d();
  renderAll();
}

void VolumeViewer::setWindowLevel(double window, double level) {
  syncingControls_ = true;
  controls_->windowSlider->setValue(qRound(window));
  controls_->levelSlider->setValue(qRound(level));
  syncingControls_ = false;
  pushWindowLevel();
}

void VolumeViewer::pushWindowLevel() {
  const double w = controls_->windowSlider->value(), l = controls_->levelSlider->value();
  for (auto& s : slices_) s->setWindowLevel(w, l);
  for (auto& s : gtSlices_) s->setWindowLevel(w, l);
  scene3d_->setWindowLevel(w, l);
  controls_->refreshValueTexts();
  interact3d();
  renderAll();
}

void VolumeViewer::setPreset(TransferPreset preset) {
  scene3d_->setPreset(preset);
  const QSignalBlocker block(controls_->presetCombo);
  controls_->presetCombo->setCurrentIndex(static_cast<int>(preset));
  interact3d();  // the full frame shown was of the old preset
}

// Every change of the 3D scene goes through interact3d(): a full frame of the state before it
// is dropped (shown, or still rendering), never left on screen looking like an ignored click.
void VolumeViewer::setVolumeRenderingVisible(bool on) {
  scene3d_->setVolumeRenderingVisible(on);
  const QSignalBlocker block(controls_->volumeRenderingCheck);
  controls_->volumeRenderingCheck->setChecked(on);
  interact3d();
}

void VolumeViewer::setCompare(bool on) {
  compare_ = on && !prediction_.empty() && !groundTruth_.empty();
  for (int a = 0; a < 3; ++a) sliceViews_[a]->setSideRenderer(compare_ ? gtSlices_[a]->renderer() : nullptr);
  const QSignalBlocker block(controls_->compareCheck);
  controls_->compareCheck->setChecked(compare_);
  controls_->predictionCheck->setEnabled(!compare_ && !prediction_.empty());
  controls_->groundTruthCheck->setEnabled(!compare_ && !groundTruth_.empty());
  pushOverlay();
  updateTexts();
}

void VolumeViewer::setCursor(Voxel cursor) {
  if (ct_.empty()) return;
  const Shape3 s = ct_.shape();
  cursor.x = std::clamp<int>(cursor.x, 0, s.w - 1);
  cursor.y = std::clamp<int>(cursor.y, 0, s.h - 1);
  cursor.z = std::clamp<int>(cursor.z, 0, s.d - 1);
  const bool changed = cursor != cursor_;
  cursor_ = cursor;
  for (auto& sc : slices_) sc->setCursor(cursor_);
  for (auto& sc : gtSlices_) sc->setCursor(cursor_);
  scene3d_->setCursor(cursor_);
  interact3d(false);  // stepping through slices never waits on a 3D frame
  syncingControls_ = true;
  for (int a = 0; a < 3; ++a) controls_->cursorSpin[a]->setValue(cursor_[a]);
  syncingControls_ = false;
  updateTexts();
  if (leadAxis_ >= 0) {
    // The view being stepped answers first; the other two (only their cross-hair moved) paint
    // in the next pass, so a step waits on one slice render, not three.
    sliceViews_[leadAxis_]->update();
    if (!followTimer_.isActive()) followTimer_.start();
  } else {
    renderAll();
  }
  if (changed) Q_EMIT cursorChanged(cursor_);
}

void VolumeViewer::stepSlice(SliceAxis axis, int steps) {
  Voxel c = cursor_;
  c[static_cast<int>(axis)] += steps;
  leadAxis_ = static_cast<int>(axis);
  setCursor(c);
  leadAxis_ = -1;
}

void VolumeViewer::resetCameras() {
  for (auto& s : slices_) s->resetCamera();
  scene3d_->resetCamera();
  interact3d();
  renderAll();
}

bool VolumeViewer::saveScreenshot(const QString& path, QString* error) {
  // The full level, rendered here when the worker's frame is not on screen (a screenshot may wait).
  if (!stillShown_) {
    settleTimer_.stop();
    ++generation_;  // the worker's frame, if one is coming, is not needed now
    stillRequested_ = false;
    view3d_->clearStillFrame();
    scene3d_->setInteractive(false);
    stillShown_ = true;
  }
  // QWidget::grab composes the GL views through their framebuffers (paintGL runs).
  const QImage image = grab().toImage();
  if (image.isNull() || !image.save(path, "PNG")) {
    if (error) *error = path + ": could not write the PNG";
    return false;
  }
  return true;
}

void VolumeViewer::updateTexts() {
  const Shape3 s = ct_.shape();
  const char* names[3] = {"x", "y", "z"};
  const int extents[3] = {int(s.w), int(s.h), int(s.d)};
  for (int a = 0; a < 3; ++a)
    sliceHeaders_[a]->setText(ct_.empty() ? QString(sliceAxisName(kAxes[a]))
                                          : QString("%1   %2 = %3 / %4   ·  %5 ms")
                                                .arg(sliceAxisName(kAxes[a])).arg(names[a])
                                                .arg(cursor_[a]).arg(extents[a] - 1)
                                                .arg(sliceViews_[a]->lastFrameMs(), 0, 'f', 0) +
                                            (compare_ ? tr("   ·  prediction | ground truth") : QString()));
  header3d_->setText(stillShown_ && stillMs_ > 0
                         ? QString("3D   %1   ·  full frame %2 ms (off the GUI thread)").arg(volumes_.title).arg(stillMs_, 0, 'f', 0)
                         : QString("3D   %1   ·  %2 ms").arg(volumes_.title).arg(view3d_->lastFrameMs(), 0, 'f', 0));
  if (ct_.empty()) {
    controls_->valueLabel->setText(tr("No volume"));
    return;
  }
  QString values = QString("CT %1").arg(ct_.volume().at(cursor_.z, cursor_.y, cursor_.x));
  if (!prediction_.empty()) {
    const int p = prediction_.volume().at(cursor_.z, cursor_.y, cursor_.x);
    values += volumes_.predictionKind == PredictionKind::Probability255
                  ? QString("   p %1").arg(p / 255.0, 0, 'f', 2)
                  : QString("   pred %1").arg(p);
  }
  if (!groundTruth_.empty())
    values += QString("   label %1").arg(groundTruth_.volume().at(cursor_.z, cursor_.y, cursor_.x));
  controls_->valueLabel->setText(values);
  controls_->statusLabel->setText(QString("%1  (%2)").arg(volumes_.title, QString::fromStdString(s.str())));
}

void VolumeViewer::interact3d(bool coarseFrames) {
  ++generation_;
  stillShown_ = stillRequested_ = false;
  still_->cancelPending();
  scene3d_->setInteractive(true);
  settleTimer_.start();
  // A cursor move leaves the 3D view as it is (the last full frame, or whatever it showed)
  // until the next full frame arrives: the GUI thread renders no 3D frame for a slice step (on
  // two busy cores even the coarse level costs 100-300 ms). Camera, overlay and window changes
  // show coarse frames meanwhile.
  if (!coarseFrames) return;
  view3d_->clearStillFrame();
  if (!coarseTimer_.isActive()) coarseTimer_.start();
}

void VolumeViewer::settle3d() {
  settleTimer_.stop();
  if (stillShown_ || stillRequested_) return;
  if (ct_.empty() || !asyncStill_ || !view3d_->isVisible()) {
    // No worker frame to wait for (nothing to show, the worker cannot render here, or no
    // widget size to render at): the full level in the GUI thread, as a last resort.
    scene3d_->setInteractive(false);
    stillShown_ = true;
    view3d_->update();
    Q_EMIT fullFrameShown();
    return;
  }
  StillFrameRequest r;
  r.generation = generation_;
  const qreal dpr = view3d_->devicePixelRatioF();
  r.width = qRound(view3d_->width() * dpr);
  r.height = qRound(view3d_->height() * dpr);
  vtkCamera* cam = scene3d_->renderer()->GetActiveCamera();
  cam->GetPosition(r.camera.position);
  cam->GetFocalPoint(r.camera.focalPoint);
  cam->GetViewUp(r.camera.viewUp);
  r.camera.viewAngle = cam->GetViewAngle();
  r.camera.parallel = cam->GetParallelProjection() != 0;
  r.camera.parallelScale = cam->GetParallelScale();
  r.overlay = overlay_;
  r.window = controls_->windowSlider->value();
  r.level = controls_->levelSlider->value();
  r.preset = transferPresetFromIndex(controls_->presetCombo->currentIndex());
  r.volumeVisible = controls_->volumeRenderingCheck->isChecked();
  r.cursor = cursor_;
  stillRequested_ = true;
  stillClock_.start();
  still_->request(r);
}

void VolumeViewer::onStillFrame(uint64_t generation, RgbImage image, const std::string& error) {
  if (generation != generation_) return;  // something changed since: a newer frame follows
  stillRequested_ = false;
  if (!error.empty() || image.rgb.empty()) {
    asyncStill_ = false;  // e.g. no offscreen GL for the worker: render the full level here
    settle3d();
    return;
  }
  const QImage frame = QImage(image.rgb.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888).copy();
  stillMs_ = stillClock_.nsecsElapsed() / 1e6;
  view3d_->setStillFrame(frame);
  stillShown_ = true;
  updateTexts();
  Q_EMIT fullFrameShown();
}

// The slice views now; the 3D view as interact3d() scheduled it.
void VolumeViewer::renderAll() {
  for (auto* v : sliceViews_)
    if (v) v->update();
}

}  // namespace vwb::viewer
