#pragma once
// The viewer's side panel: display (window/level, transfer preset, volume rendering), overlays
// (prediction/ground truth toggles, side-by-side comparison, threshold, opacity), cursor position and actions.
// Holds no state of its own beyond its widgets; VolumeViewer connects them.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace vwb::viewer {

class ViewerControlPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ViewerControlPanel(QWidget* parent = nullptr);

  // Slider scales: threshold and opacity in thousandths, window/level in CT units (0..255).
  static constexpr int kThresholdScale = 1000;
  static constexpr int kOpacityScale = 100;

  QSlider* windowSlider = nullptr;
  QSlider* levelSlider = nullptr;
  QComboBox* presetCombo = nullptr;
  QCheckBox* volumeRenderingCheck = nullptr;
  QCheckBox* predictionCheck = nullptr;
  QCheckBox* groundTruthCheck = nullptr;
  QCheckBox* compareCheck = nullptr;  // slices: prediction | ground truth side by side
  QSlider* thresholdSlider = nullptr;
  QSlider* opacitySlider = nullptr;
  QSpinBox* cursorSpin[3] = {nullptr, nullptr, nullptr};  // x, y, z
  QPushButton* resetButton = nullptr;
  QPushButton* screenshotButton = nullptr;
  QLabel* valueLabel = nullptr;   // values under the cursor
  QLabel* statusLabel = nullptr;  // volume name, frame times

  // Shows the slider values next to the sliders.
  void refreshValueTexts();

 private:
  QLabel* windowText_ = nullptr;
  QLabel* levelText_ = nullptr;
  QLabel* thresholdText_ = nullptr;
  QLabel* opacityText_ = nullptr;
};

}  // namespace vwb::viewer
