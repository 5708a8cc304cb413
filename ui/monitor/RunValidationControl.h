#pragma once
// The monitor's "Validate" control: the full sliding-window validation of the shown run's
// checkpoint (best | last | ema) on its held-out volumes, on request — what `vwb validate --run`
// does, through the same engine call (Engine::validateRun), on a worker thread with progress and
// cancel. The record it writes (RUN/validation/NAME.json) is shown, and so is an earlier one when
// a run is opened. Disabled while the run trains (the validation takes the run folder's lock).
#include <QWidget>
#include <memory>

#include "engine/train/ValidationRecord.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace vwb::ui {
class BackgroundTask;
class WorkbenchContext;

class RunValidationControl : public QWidget {
  Q_OBJECT
 public:
  explicit RunValidationControl(WorkbenchContext& context, QWidget* parent = nullptr);
  ~RunValidationControl() override;

  // The run shown and whether it may be validated now (not training, not loading).
  void setRun(const QString& runDir, bool available);
  bool validating() const;
  void cancel();

  QComboBox* checkpointBox() const { return checkpoint_; }
  QPushButton* validateButton() const { return validate_; }
  QString resultText() const;

 Q_SIGNALS:
  void busyChanged(bool validating);
  void validated(const vwb::FullValidationRecord& record);

 private:
  void start();
  void showRecorded();  // the record already on disk for the chosen checkpoint, if any
  void updateEnabled();
  void ended(const QString& error);

  WorkbenchContext& context_;
  QString runDir_;
  bool available_ = false;
  QComboBox* checkpoint_;
  QPushButton* validate_;
  QLabel* result_;
  std::unique_ptr<BackgroundTask> task_;
  std::shared_ptr<FullValidationRecord> record_;
};

QString describeValidation(const FullValidationRecord& r);

}  // namespace vwb::ui
