#include "ui/monitor/RunStatusPanel.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QVBoxLayout>

#include "ui/common/Format.h"
#include "ui/monitor/MetricsSeries.h"

namespace vwb::ui {

RunStatusPanel::RunStatusPanel(QWidget* parent) : QWidget(parent) {
  state_ = new QLabel(tr("No run"));
  QFont bold = state_->font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 1.15);
  state_->setFont(bold);
  state_->setWordWrap(true);  // "Failed: <the whole error>" wraps instead of widening the window
  epochBar_ = new QProgressBar;
  stepBar_ = new QProgressBar;
  epochBar_->setFormat(tr("epoch %v / %m"));
  stepBar_->setFormat(tr("step %v / %m in this epoch"));
  eta_ = new QLabel("–");
  throughput_ = new QLabel("–");
  memory_ = new QLabel("–");
  memory_->setWordWrap(true);
  memory_->setToolTip(tr("Per device: allocated now (peak) of its capacity; on a GPU also what the allocator "
                         "reserved and, where the driver reports it, how busy it was. CPU ranks share one "
                         "process: each shows the tensor memory its own thread allocated."));
  shares_ = new QLabel("–");
  shares_->setWordWrap(true);
  shares_->setToolTip(tr("Of each step's time: waiting for the data loader, waiting for gradient "
                         "communication between devices, and the spread between the fastest and slowest "
                         "device's compute (a straggler shows here). Above 10 % data wait or 20 % "
                         "communication, a warning names the setting that helps."));
  warnings_ = new QListWidget;
  warnings_->setMaximumHeight(70);
  warnings_->setToolTip(tr("Warnings and errors of this run (also in training.log)"));
  warnings_->setVisible(false);

  auto* form = new QFormLayout;
  form->addRow(tr("Epochs"), epochBar_);
  form->addRow(tr("Steps"), stepBar_);
  auto* numbers = new QHBoxLayout;
  numbers->addWidget(new QLabel(tr("<b>ETA</b>")));
  numbers->addWidget(eta_);
  numbers->addSpacing(16);
  numbers->addWidget(new QLabel(tr("<b>Throughput</b>")));
  numbers->addWidget(throughput_);
  numbers->addSpacing(16);
  numbers->addWidget(new QLabel(tr("<b>Memory</b>")));
  numbers->addWidget(memory_, 1);
  auto* time = new QHBoxLayout;
  time->addWidget(new QLabel(tr("<b>Step time</b>")));
  time->addWidget(shares_, 1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(state_);
  layout->addLayout(form);
  layout->addLayout(numbers);
  layout->addLayout(time);
  layout->addWidget(warnings_);
}

void RunStatusPanel::setState(const QString& text, const QString& color) {
  state_->setText(text);
  state_->setStyleSheet(color.isEmpty() ? QString() : "color: " + color);
}

QString RunStatusPanel::stateText() const { return state_->text(); }
QString RunStatusPanel::epochText() const { return epochBar_->text(); }
QString RunStatusPanel::etaText() const { return eta_->text(); }
QString RunStatusPanel::throughputText() const { return throughput_->text(); }
QString RunStatusPanel::memoryText() const { return memory_->text(); }
QString RunStatusPanel::stepTimeText() const { return shares_->text(); }

void RunStatusPanel::showSeries(const MetricsSeries& s) {
  const int epochs = static_cast<int>(s.epochs);
  epochBar_->setRange(0, std::max(1, epochs));
  const int epochsDone = s.hasEpoch ? static_cast<int>(s.lastEpoch.epoch) : 0;
  epochBar_->setValue(std::min(epochsDone, std::max(1, epochs)));
  const int perEpoch = static_cast<int>(std::max<int64_t>(1, s.stepsPerEpoch));
  // The bar fills with finished epochs; its text names the epoch being trained (1-based), so
  // the first epoch reads "epoch 1 / 6", not "0 / 6".
  const int64_t stepEpoch = s.lastStep.epoch > 0 ? s.lastStep.epoch : s.lastStep.step > 0 ? (s.lastStep.step - 1) / perEpoch + 1 : 0;
  const int current = static_cast<int>(std::min<int64_t>(std::max<int64_t>(epochsDone, s.hasStep ? stepEpoch : 0), std::max(1, epochs)));
  // Before the first step (a run starting, or one that failed to start) no epoch is under way.
  epochBar_->setFormat(!s.hasStep && !s.hasEpoch ? (epochs > 0 ? tr("not started (%m epochs)") : tr("not started"))
                       : current > epochsDone    ? tr("epoch %1 / %m (%v done)").arg(current)
                                                 : tr("epoch %v / %m"));
  stepBar_->setRange(0, perEpoch);
  // metrics.jsonl does not repeat the step within the epoch: derive it from the global step.
  const int64_t inEpoch = s.lastStep.stepInEpoch > 0 ? s.lastStep.stepInEpoch
                          : s.lastStep.step > 0      ? (s.lastStep.step - 1) % perEpoch + 1
                                                     : 0;
  stepBar_->setValue(s.hasStep ? static_cast<int>(std::min<int64_t>(inEpoch, perEpoch)) : 0);
  if (!s.hasStep) {  // nothing of another run stays up
    eta_->setText(QStringLiteral("–"));
    throughput_->setText(QStringLiteral("–"));
    memory_->setText(QStringLiteral("–"));
    shares_->setText(QStringLiteral("–"));
    return;
  }
  // metrics.jsonl records no ETA: a reloaded run has none ("–"), not "0 s".
  const bool done = s.totalSteps > 0 && s.lastStep.step >= s.totalSteps;
  eta_->setText(s.lastStep.etaSec > 0 ? formatDuration(s.lastStep.etaSec) : done ? tr("done") : QStringLiteral("–"));
  throughput_->setText(tr("%1 samples/s").arg(s.lastStep.samplesPerSec, 0, 'f', 2));
  QStringList mem;
  for (const DeviceMemory& m : s.lastStep.memory) {
    QString line = QString::fromStdString(m.device) + ": " + formatBytes(m.allocatedBytes);
    if (m.peakBytes > m.allocatedBytes) line += tr(" (peak %1)").arg(formatBytes(m.peakBytes));
    if (m.reservedBytes > 0) line += tr(", reserved %1").arg(formatBytes(m.reservedBytes));
    if (m.totalBytes > 0) line += " / " + formatBytes(m.totalBytes);
    if (m.busy >= 0) line += tr(", busy %1 %").arg(100 * m.busy, 0, 'f', 0);
    mem << line;
  }
  memory_->setText(mem.isEmpty() ? QStringLiteral("–") : mem.join("   "));
  const StepEvent& e = s.lastStep;
  QString shares = tr("%1 s/step · data wait %2 %").arg(e.secondsPerStep, 0, 'f', 2).arg(100 * e.dataWaitFraction, 0, 'f', 0);
  if (s.severalDevices)
    shares += tr(" · communication %1 % · spread across devices %2 %")
                  .arg(100 * e.commWaitFraction, 0, 'f', 0)
                  .arg(100 * e.stepSpread, 0, 'f', 0);
  shares_->setText(shares);
}

void RunStatusPanel::addWarning(const QString& text) {
  // One problem reaches the panel by several roads (the engine's log line, the worker's error,
  // the run's end): a text already shown, or one a shown warning says whole, is not repeated.
  for (int i = 0; i < warnings_->count(); ++i)
    if (warnings_->item(i)->text().contains(text.trimmed())) return;
  warnings_->setVisible(true);
  auto* item = new QListWidgetItem(QStringLiteral("⚠ ") + text);
  item->setForeground(QColor(150, 80, 0));
  warnings_->addItem(item);
  warnings_->scrollToBottom();
}

void RunStatusPanel::clearWarnings() {
  warnings_->clear();
  warnings_->setVisible(false);
}

int RunStatusPanel::warningCount() const { return warnings_->count(); }

}  // namespace vwb::ui
