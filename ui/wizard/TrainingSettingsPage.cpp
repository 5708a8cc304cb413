#include "ui/wizard/TrainingSettingsPage.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/wizard/MemoryBar.h"
#include "ui/wizard/ProbeRunner.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

namespace {
QSpinBox* spin(int lo, int hi, int step = 1) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setSingleStep(step);
  return s;
}
const AmpMode kAmpModes[] = {AmpMode::Auto, AmpMode::Off, AmpMode::Fp16, AmpMode::Bf16};
}  // namespace

TrainingSettingsPage::TrainingSettingsPage(SetupWizard& wizard) : wizard_(wizard) {
  setTitle(tr("4 · Training settings"));
  setSubTitle(tr("The planner's choices, editable. Memory bars show its estimate per device; red means it would not fit with the safety margin."));
  epochs_ = spin(1, 10000);
  steps_ = spin(1, 1000000);
  patch_ = spin(16, 512, 16);
  batch_ = spin(1, 1024);
  amp_ = new QComboBox;
  amp_->addItems({tr("auto"), tr("off"), tr("fp16"), tr("bf16")});
  workers_ = spin(0, 64);
  prefetch_ = spin(1, 64);
  valFraction_ = new QDoubleSpinBox;
  valFraction_->setRange(0.0, 0.9);
  valFraction_->setSingleStep(0.05);
  valFraction_->setDecimals(2);
  seed_ = spin(0, 1 << 30);

  auto* form = new QFormLayout;
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Steps per epoch"), steps_);
  form->addRow(tr("Patch edge (voxels)"), patch_);
  form->addRow(tr("Batch per device"), batch_);
  form->addRow(tr("Mixed precision"), amp_);
  form->addRow(tr("Loader workers"), workers_);
  form->addRow(tr("Prefetch (batches)"), prefetch_);
  form->addRow(tr("Validation fraction"), valFraction_);
  form->addRow(tr("Seed"), seed_);

  auto* memory = new QGroupBox(tr("Memory per device (estimate / capacity)"));
  barsBox_ = new QVBoxLayout(memory);
  fitNote_ = new QLabel;
  fitNote_->setWordWrap(true);
  barsBox_->addWidget(fitNote_);
  reasons_ = new QLabel;
  reasons_->setWordWrap(true);
  reasons_->setStyleSheet("color: #404040");

  auto* probeBox = new QGroupBox(tr("Probe (optional)"));
  probeButton_ = new QPushButton(tr("Measure for 5 s"));
  probeButton_->setToolTip(tr("Trains a few steps with these settings in a scratch folder to measure throughput and real memory"));
  probeProgress_ = new QProgressBar;
  probeProgress_->setVisible(false);
  probeResult_ = new QLabel(tr("Not measured."));
  probeResult_->setWordWrap(true);
  auto* probeLayout = new QVBoxLayout(probeBox);
  auto* probeRow = new QHBoxLayout;
  probeRow->addWidget(probeButton_);
  probeRow->addWidget(probeProgress_, 1);
  probeLayout->addLayout(probeRow);
  probeLayout->addWidget(probeResult_);

  auto* right = new QVBoxLayout;
  right->addWidget(memory);
  right->addWidget(probeBox);
  right->addWidget(reasons_);
  right->addStretch();
  auto* layout = new QHBoxLayout(this);
  layout->addLayout(form);
  layout->addSpacing(12);
  layout->addLayout(right, 1);

  for (QSpinBox* s : {epochs_, patch_, batch_})
    connect(s, &QSpinBox::valueChanged, this, &TrainingSettingsPage::constraintsEdited);
  connect(amp_, &QComboBox::currentIndexChanged, this, &TrainingSettingsPage::constraintsEdited);
  for (QSpinBox* s : {steps_, workers_, prefetch_, seed_})
    connect(s, &QSpinBox::valueChanged, this, &TrainingSettingsPage::overridesEdited);
  connect(valFraction_, &QDoubleSpinBox::valueChanged, this, &TrainingSettingsPage::overridesEdited);
  connect(&wizard_, &SetupWizard::planChanged, this, &TrainingSettingsPage::showPlan);

  probe_ = new ProbeRunner(wizard_.context().enginePtr(), this);
  connect(probeButton_, &QPushButton::clicked, this, [this] {
    if (probe_->running()) probe_->cancel();
    else startProbe();
  });
  connect(probe_, &ProbeRunner::progressChanged, this, [this](const QString& stage, qint64 done, qint64 total) {
    probeProgress_->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
    probeProgress_->setValue(static_cast<int>(done));
    probeProgress_->setFormat(stage + " %p%");
  });
  connect(probe_, &ProbeRunner::finished, this, [this] {
    probeButton_->setText(tr("Measure again"));
    probeProgress_->setVisible(false);
    const ProbeResult& r = probe_->result();
    wizard_.probe() = r;
    QString text = tr("<b>%1 samples/s</b> (%2 s per step, median of %3 steps) at batch %4, patch %5.")
                       .arg(r.samplesPerSec, 0, 'f', 2).arg(r.secondsPerStep, 0, 'f', 2).arg(r.steps)
                       .arg(r.batchPerDevice).arg(r.patch);
    for (const DeviceMemory& m : r.peak)
      text += tr("<br>%1 peak: %2").arg(QString::fromStdString(m.device), formatBytes(std::max(m.peakBytes, m.allocatedBytes)));
    probeResult_->setText(text);
  });
  connect(probe_, &ProbeRunner::failed, this, [this](const QString& message) {
    probeButton_->setText(tr("Measure for 5 s"));
    probeProgress_->setVisible(false);
    probeResult_->setText(tr("<span style='color:#a00000'>Probe: %1</span>").arg(message.toHtmlEscaped()));
  });
}

void TrainingSettingsPage::initializePage() { showPlan(); }

bool TrainingSettingsPage::isComplete() const { return wizard_.hasPlan(); }

QString TrainingSettingsPage::reasonsText() const { return reasons_->text(); }
QString TrainingSettingsPage::probeText() const { return probeResult_->text(); }

void TrainingSettingsPage::startProbe(double seconds) {
  if (!wizard_.hasPlan() || probe_->running()) return;
  probeButton_->setText(tr("Cancel probe"));
  probeProgress_->setVisible(true);
  probeProgress_->setValue(0);
  probeResult_->setText(tr("Measuring…"));
  probe_->start(wizard_.finalConfig(), seconds);
}

void TrainingSettingsPage::constraintsEdited() {
  if (showing_) return;
  UserConstraints& c = wizard_.constraints();
  c.epochs = epochs_->value();
  c.patch = patch_->value();
  c.batchPerDevice = batch_->value();
  c.amp = kAmpModes[std::max(0, amp_->currentIndex())];
  wizard_.replan();
}

void TrainingSettingsPage::overridesEdited() {
  if (showing_) return;
  UserOverrides& o = wizard_.overrides();
  o.stepsPerEpoch = steps_->value();
  o.workers = workers_->value();
  o.prefetch = prefetch_->value();
  o.valFraction = valFraction_->value();
  o.seed = static_cast<uint64_t>(seed_->value());
}

void TrainingSettingsPage::showPlan() {
  if (!wizard_.hasPlan()) {
    reasons_->setText(wizard_.planError());
    Q_EMIT completeChanged();
    return;
  }
  showing_ = true;
  const TrainConfig c = wizard_.finalConfig();
  epochs_->setValue(c.epochs);
  steps_->setValue(c.stepsPerEpoch);
  patch_->setValue(c.patch);
  batch_->setValue(c.batchPerDevice);
  for (int i = 0; i < 4; ++i)
    if (kAmpModes[i] == c.amp) amp_->setCurrentIndex(i);
  workers_->setValue(c.workers);
  prefetch_->setValue(c.prefetch);
  valFraction_->setValue(c.valFraction);
  seed_->setValue(static_cast<int>(c.seed));
  showing_ = false;

  const Plan& plan = wizard_.plan();
  for (MemoryBar* b : bars_) {
    barsBox_->removeWidget(b);
    delete b;
  }
  bars_.clear();
  bool allFit = true;
  for (const DeviceBudget& budget : plan.budgets) {
    auto* bar = new MemoryBar;
    bar->setBudget(budget, wizard_.constraints().memorySafetyMargin);
    allFit = allFit && bar->level() != MemoryBar::Level::TooBig;
    barsBox_->insertWidget(barsBox_->count() - 1, bar);
    bars_.push_back(bar);
  }
  fitNote_->setText(allFit ? tr("Fits on every device (dashed line: safety margin).")
                           : tr("<b style='color:#c00000'>Does not fit with the safety margin: lower the batch or the patch.</b>"));
  QStringList lines;
  for (const std::string& r : plan.reasons) lines << QString::fromUtf8("• ") + QString::fromStdString(r);
  for (const std::string& w : plan.warnings) lines << QString::fromUtf8("⚠ ") + QString::fromStdString(w);
  reasons_->setText(lines.join("\n"));
  Q_EMIT completeChanged();
}

}  // namespace vwb::ui
