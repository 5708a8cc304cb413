#include "ui/monitor/RunValidationControl.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "engine/core/Error.h"
#include "engine/run/RunFolder.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"

namespace vwb::ui {

QString describeValidation(const FullValidationRecord& r) {
  return RunValidationControl::tr("Full validation of %1.pt (step %2): Dice %3, loss %4 over %5 held-out volume(s), "
                                  "%6 tiles in %7 s")
      .arg(QString::fromStdString(r.checkpoint))
      .arg(r.step)
      .arg(r.dice, 0, 'f', 4)
      .arg(r.loss, 0, 'f', 4)
      .arg(r.volumes.size())
      .arg(r.tiles)
      .arg(r.seconds, 0, 'f', 1);
}

RunValidationControl::RunValidationControl(WorkbenchContext& context, QWidget* parent)
    : QWidget(parent), context_(context) {
  checkpoint_ = new QComboBox;
  checkpoint_->setObjectName("validateCheckpoint");
  checkpoint_->setToolTip(tr("Which of the run's checkpoints to validate"));
  validate_ = new QPushButton(QIcon::fromTheme("system-run"), tr("Validate"));
  validate_->setObjectName("validateRun");
  validate_->setToolTip(tr("The full sliding-window validation of the checkpoint on the run's held-out volumes "
                           "(what vwb validate does); written to the run's validation folder"));
  result_ = new QLabel;
  result_->setObjectName("validationResult");
  result_->setWordWrap(true);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  auto* title = new QLabel(tr("Full validation of"));
  title->setBuddy(checkpoint_);
  row->addWidget(title);
  row->addWidget(checkpoint_);
  row->addWidget(validate_);
  row->addWidget(result_, 1);
  connect(validate_, &QPushButton::clicked, this, [this] { validating() ? cancel() : start(); });
  connect(checkpoint_, &QComboBox::currentIndexChanged, this, [this] {
    if (!validating()) showRecorded();
    updateEnabled();
  });
  updateEnabled();
}

RunValidationControl::~RunValidationControl() { BackgroundTask::shutdownAll(this); }

bool RunValidationControl::validating() const { return task_ && task_->running(); }

void RunValidationControl::cancel() {
  if (task_) task_->cancel();
}

QString RunValidationControl::resultText() const { return result_->text(); }

void RunValidationControl::setRun(const QString& runDir, bool available) {
  const bool changed = runDir != runDir_;
  const bool becameAvailable = available && !available_;
  available_ = available;
  if (changed && validating()) BackgroundTask::retire(std::move(task_), this);  // another run: not wanted
  runDir_ = runDir;
  // The checkpoints are listed when the run is shown and again each time it stops training.
  if ((changed || becameAvailable) && !validating()) {
    const QString keep = checkpoint_->currentText();
    checkpoint_->blockSignals(true);
    checkpoint_->clear();
    const RunFolder run(runDir_.toStdString());
    for (const char* name : {"best", "last", "ema"})
      if (!runDir_.isEmpty() && QFileInfo::exists(QString::fromStdString(run.checkpoint(std::string(name) + ".pt"))))
        checkpoint_->addItem(QString::fromLatin1(name));
    const int i = checkpoint_->findText(keep);
    if (i >= 0) checkpoint_->setCurrentIndex(i);
    checkpoint_->blockSignals(false);
    showRecorded();
  }
  updateEnabled();
}

void RunValidationControl::showRecorded() {
  result_->setStyleSheet({});
  result_->clear();
  if (runDir_.isEmpty() || checkpoint_->count() == 0) return;
  const std::string path = fullValidationPath(runDir_.toStdString(), checkpoint_->currentText().toStdString());
  if (!QFileInfo::exists(QString::fromStdString(path))) return;
  try {
    result_->setText(describeValidation(readFullValidation(path)));
  } catch (const std::exception& e) {
    result_->setText(QString::fromUtf8(e.what()));
  }
}

void RunValidationControl::updateEnabled() {
  const bool busy = validating();
  validate_->setText(busy ? tr("Cancel validation") : tr("Validate"));
  validate_->setEnabled(busy || (available_ && checkpoint_->count() > 0));
  checkpoint_->setEnabled(!busy && checkpoint_->count() > 0);
}

void RunValidationControl::start() {
  if (validating() || runDir_.isEmpty() || checkpoint_->count() == 0) return;
  const std::string runDir = runDir_.toStdString();
  const std::string name = checkpoint_->currentText().toStdString();
  auto record = std::make_shared<FullValidationRecord>();
  record_ = record;
  EnginePtr engine = context_.enginePtr();
  BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<BackgroundTask>(tr("Validation"), [engine, runDir, name, record](ProgressSink& progress,
                                                                                          const CancelToken& cancel) {
    *record = engine->validateRun(runDir, name, &progress, cancel);
  });
  connect(task_.get(), &BackgroundTask::progressChanged, this, [this, name](const QString& stage, qint64 done, qint64 total) {
    result_->setText(total > 0 ? tr("Validating %1.pt — %2 %3 / %4").arg(QString::fromStdString(name), stage).arg(done).arg(total)
                               : tr("Validating %1.pt — %2").arg(QString::fromStdString(name), stage));
  });
  connect(task_.get(), &BackgroundTask::finished, this, [this] { ended({}); });
  connect(task_.get(), &BackgroundTask::failed, this, [this](const QString& message) { ended(message); });
  result_->setStyleSheet({});
  result_->setText(tr("Validating %1.pt…").arg(QString::fromStdString(name)));
  task_->start();
  updateEnabled();
  emit busyChanged(true);
}

void RunValidationControl::ended(const QString& error) {
  if (error.isEmpty()) {
    result_->setStyleSheet({});
    result_->setText(describeValidation(*record_));
  } else if (error == QLatin1String("cancelled")) {
    result_->setStyleSheet({});
    result_->setText(tr("Validation cancelled; nothing was written"));
  } else {
    result_->setStyleSheet("color: #b00020");
    result_->setText(tr("Validation failed: %1").arg(error));
  }
  BackgroundTask::retire(std::move(task_), this);  // we may be inside its own signal
  updateEnabled();
  emit busyChanged(false);
  if (error.isEmpty()) emit validated(*record_);
}

}  // namespace vwb::ui
