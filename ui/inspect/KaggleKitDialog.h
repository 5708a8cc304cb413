#pragma once
// The Export page's "Export for a Kaggle notebook…": the run's model, settings and
// post-processing as a Kaggle dataset folder (engine/kit/KaggleKit.h, as `vwb kaggle-kit`).
// What the kit will hold and the engine's time estimate for 2xT4 and a P100 are shown as the
// choices change; a kit that would not fit Kaggle's 9 hours is asked about before it is written.
#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace vwb::inspect {

class KaggleKitDialog : public QDialog {
  Q_OBJECT

 public:
  explicit KaggleKitDialog(const QString& runDir, QWidget* parent = nullptr);

  QLineEdit* checkpointEdit() const { return checkpoint_; }
  QSpinBox* hiddenVolumesBox() const { return hiddenVolumes_; }
  QComboBox* ttaBox() const { return tta_; }
  QLineEdit* outEdit() const { return out_; }
  QPushButton* writeButton() const { return write_; }
  QLabel* planLabel() const { return plan_; }
  QLabel* warningLabel() const { return warning_; }
  QLabel* resultLabel() const { return result_; }
  bool fits() const { return fits_; }

  void writeKit();  // asks first when the estimate does not fit

 Q_SIGNALS:
  void written(const QString& kit, qint64 bytes);

 private:
  void refresh();  // re-plans from the fields (reads the checkpoint's header, writes nothing)

  QString runDir_;
  bool planned_ = false, fits_ = true;
  QLineEdit* checkpoint_ = nullptr;
  QSpinBox* hiddenVolumes_ = nullptr;
  QComboBox* tta_ = nullptr;
  QLineEdit* out_ = nullptr;
  QPushButton* write_ = nullptr;
  QLabel* plan_ = nullptr;
  QLabel* warning_ = nullptr;
  QLabel* result_ = nullptr;
};

}  // namespace vwb::inspect
