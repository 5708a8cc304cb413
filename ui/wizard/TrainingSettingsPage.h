#pragma once
// Wizard page 4: epochs, patch, per-device batch (with a memory bar per device from the
// planner's estimate), workers/prefetch, AMP, augmentation preset (each with what one loader
// thread makes of it per second at the planned patch), validation fraction, seed, and the probe.
// Patch, batch, epochs, AMP and augmentation go back to the planner as constraints (the loader
// threads are sized for the preset); the rest are overrides.
#include <QWizardPage>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace vwb::ui {
class MemoryBar;
class ProbeRunner;
class SetupWizard;

class TrainingSettingsPage : public QWizardPage {
  Q_OBJECT
 public:
  explicit TrainingSettingsPage(SetupWizard& wizard);
  void initializePage() override;
  bool isComplete() const override;
  bool eventFilter(QObject* watched, QEvent* event) override;

  QSpinBox* batchBox() const { return batch_; }
  QSpinBox* patchBox() const { return patch_; }
  QSpinBox* epochsBox() const { return epochs_; }
  QSpinBox* stepsBox() const { return steps_; }
  QPushButton* probeButton() const { return probeButton_; }
  QComboBox* ampBox() const { return amp_; }
  QComboBox* augmentBox() const { return augment_; }  // none | light | nnunet | strong, with costs
  QPushButton* resetButton() const { return reset_; }
  const std::vector<MemoryBar*>& memoryBars() const { return bars_; }
  QString reasonsText() const;
  void startProbe(double seconds = 5.0);
  ProbeRunner* probeRunner() const { return probe_; }
  QString probeText() const;

 private:
  void showPlan();
  void clearBars();
  void replanKeepingFocus();

  SetupWizard& wizard_;
  QSpinBox* epochs_;
  QSpinBox* steps_;
  QSpinBox* patch_;
  QSpinBox* batch_;
  QComboBox* amp_;
  QComboBox* augment_;
  QSpinBox* workers_;
  QSpinBox* prefetch_;
  QDoubleSpinBox* valFraction_;
  QSpinBox* seed_;
  QVBoxLayout* barsBox_;
  std::vector<MemoryBar*> bars_;
  QLabel* reasons_;
  QLabel* fitNote_;
  QPushButton* reset_;
  QPushButton* probeButton_;
  QProgressBar* probeProgress_;
  QLabel* probeResult_;
  ProbeRunner* probe_;
  bool showing_ = false;  // true while the page copies a plan into its widgets
};

}  // namespace vwb::ui
