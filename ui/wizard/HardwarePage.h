#pragma once
// Wizard page 2: the detected hardware (GPUs with name and memory, CPU cores, RAM) and a
// "plan for other hardware" what-if using the CLI's --assume-gpus spec ("2x16GB", "8x80GB:sm80").
#include <QWizardPage>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace vwb::ui {
class SetupWizard;

class HardwarePage : public QWizardPage {
  Q_OBJECT
 public:
  explicit HardwarePage(SetupWizard& wizard);
  void initializePage() override;

  // Applies the what-if spec (or returns to detection when what-if is off).
  void applyWhatIf();
  QCheckBox* whatIfBox() const { return whatIf_; }
  QLineEdit* specEdit() const { return spec_; }
  QTableWidget* gpuTable() const { return gpus_; }
  QString machineText() const;
  QString errorText() const;
  QString noticeText() const;  // what a hardware change reset

 private:
  void showHardware();
  SetupWizard& wizard_;
  QTableWidget* gpus_;
  QLabel* machine_;
  QCheckBox* whatIf_;
  QLineEdit* spec_;
  QPushButton* apply_;
  QLabel* error_;
  QLabel* notice_;
  bool detected_ = false;
};

}  // namespace vwb::ui
