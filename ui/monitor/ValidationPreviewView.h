#pragma once
// The monitor's "look, don't read" panel. At each validation the trainer writes one slice of a
// fixed validation volume (engine/train/ValidationPreview.h); this shows it as three images side
// by side — the CT slice, the prediction (orange, opacity = probability p where p > 0.5, p/2
// below) and the ground truth
// (cyan; ignored voxels darkened) — under a caption "epoch N · volume ID · slice z · val Dice d",
// with a slider (and ←/→, Home/End, PgUp/PgDn) over the epochs' previews. It follows the newest
// preview unless the user has stepped back. Files are read through Engine::readValidationPreview
// on the GUI thread (three small deflated pages), only when the preview shown changes.
#include <QImage>
#include <QVector>
#include <QWidget>

#include "ui/monitor/MetricsSeries.h"

class QLabel;
class QSlider;
class QToolButton;

namespace vwb::ui {
class Engine;

class ValidationPreviewView : public QWidget {
  Q_OBJECT
 public:
  explicit ValidationPreviewView(Engine& engine, QWidget* parent = nullptr);

  // The run's previews by epoch; paths that are not absolute are relative to runDir. Another run
  // folder starts at its newest preview; the same run keeps the epoch shown unless it was the newest.
  void setPreviews(const QVector<PreviewEntry>& entries, const QString& runDir);

  int count() const { return int(entries_.size()); }
  int currentIndex() const { return index_; }
  int64_t currentEpoch() const;  // -1 when nothing is shown
  void showIndex(int index);     // clamped
  QString caption() const;
  QSlider* slider() const { return slider_; }
  // The three pictures at the slice's own size (CT, prediction, ground truth); null when none.
  QImage picture(int which) const { return pictures_[which]; }
  bool loaded() const { return !pictures_[0].isNull(); }

 protected:
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void load();
  void updateControls();

  Engine& engine_;
  QVector<PreviewEntry> entries_;
  QString runDir_;
  int index_ = -1;
  QString loadedPath_;
  QImage pictures_[3];
  QWidget* canvas_;
  QLabel* caption_;
  QSlider* slider_;
  QToolButton* previous_;
  QToolButton* next_;
};

}  // namespace vwb::ui
