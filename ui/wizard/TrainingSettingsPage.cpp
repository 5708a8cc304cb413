#include "ui/wizard/TrainingSettingsPage.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QApplication>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QPointer>
#include <QKeyEvent>
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
const AugmentPreset kAugmentPresets[] = {AugmentPreset::None, AugmentPreset::Light, AugmentPreset::NnUnet,
                                         AugmentPreset::Strong};
// What each preset does and costs: patches one loader thread augments per CPU-second at this patch
// (the planner's measured table, vwb bench-data).
QString augmentItemText(AugmentPreset p, int patch) {
  static const char* const what[] = {QT_TRANSLATE_NOOP("TrainingSettingsPage", "no augmentation"),
                                     QT_TRANSLATE_NOOP("TrainingSettingsPage", "flips, 90° turns, intensity, noise"),
                                     QT_TRANSLATE_NOOP("TrainingSettingsPage", "nnU-Net's default 3D pipeline"),
                                     QT_TRANSLATE_NOOP("TrainingSettingsPage", "nnunet + elastic, illumination, blank boxes")};
  // (³ after the last placeholder would read as a digit of it: appended.)
  return QString("%1 — %2 · ~%3 patches/s per loader thread at %4")
             .arg(QString::fromLatin1(augmentPresetName(p)), QCoreApplication::translate("TrainingSettingsPage", what[int(p)]))
             .arg(augmentPatchesPerSecond(p, patch), 0, 'f', 0)
             .arg(patch) +
         QString::fromUtf8("³");
}
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
  augment_ = new QComboBox;
  for (AugmentPreset p : kAugmentPresets) augment_->addItem(augmentItemText(p, 64));
  augment_->setToolTip(tr("Augmentation of the training patches; the planner sizes the loader threads for it"));
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
  form->addRow(tr("Augmentation"), augment_);
  form->addRow(tr("Loader workers"), workers_);
  form->addRow(tr("Prefetch (batches)"), prefetch_);
  form->addRow(tr("Validation fraction"), valFraction_);
  form->addRow(tr("Seed"), seed_);
  reset_ = new QPushButton(tr("Reset to the plan"));
  reset_->setToolTip(tr("Forget every value changed here and take the planner's choices"));
  form->addRow(reset_);

  auto* memory = new QGroupBox(tr("Memory per device (estimate / capacity)"));
  barsBox_ = new QVBoxLayout(memory);
  fitNote_ = new QLabel;
  fitNote_->setWordWrap(true);
  barsBox_->addWidget(fitNote_);
  reasons_ = new QLabel;
  reasons_->setWordWrap(true);
  reasons_->setStyleSheet("color: #404040");

  auto* probeBox = new QGroupBox(tr("Probe (optional)"));
  probeButton_ = new QPushButton(tr("Measure"));
  probeButton_->setToolTip(tr("Trains with these settings in a scratch folder to measure throughput and real memory: it "
                              "reads the data and builds the model first (on a CPU that can take a minute), then times 5 s of steps"));
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

  // Each field sets only its own constraint or override: the others stay the planner's. Spin
  // boxes report when editing is finished (Enter, focus out, arrows), not per keystroke, so
  // typing "32" is 32 and not a re-plan at 3.
  for (QSpinBox* s : {epochs_, steps_, patch_, batch_, workers_, prefetch_, seed_}) s->setKeyboardTracking(false);
  valFraction_->setKeyboardTracking(false);
  auto constraint = [this](QSpinBox* box, std::optional<int> UserConstraints::*field) {
    connect(box, &QSpinBox::valueChanged, this, [this, field](int v) {
      if (showing_) return;
      wizard_.constraints().*field = v;
      replanKeepingFocus();
    });
  };
  constraint(epochs_, &UserConstraints::epochs);
  constraint(patch_, &UserConstraints::patch);
  constraint(batch_, &UserConstraints::batchPerDevice);
  connect(amp_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (showing_) return;
    wizard_.constraints().amp = kAmpModes[std::max(0, i)];
    replanKeepingFocus();
  });
  connect(augment_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (showing_) return;
    wizard_.constraints().augment = kAugmentPresets[std::max(0, i)];
    replanKeepingFocus();
  });
  auto overrideField = [this](QSpinBox* box, std::optional<int> UserOverrides::*field) {
    connect(box, &QSpinBox::valueChanged, this, [this, field](int v) {
      if (!showing_) wizard_.overrides().*field = v;
    });
  };
  overrideField(steps_, &UserOverrides::stepsPerEpoch);
  overrideField(workers_, &UserOverrides::workers);
  overrideField(prefetch_, &UserOverrides::prefetch);
  connect(seed_, &QSpinBox::valueChanged, this, [this](int v) {
    if (!showing_) wizard_.overrides().seed = static_cast<uint64_t>(v);
  });
  connect(valFraction_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    if (!showing_) wizard_.overrides().valFraction = v;
  });
  connect(reset_, &QPushButton::clicked, this, [this] { wizard_.resetToPlan(); });
  // Enter in a field commits it and stays there: the wizard (a QDialog) would otherwise take
  // it as Next and leave the page.
  for (QAbstractSpinBox* box : findChildren<QAbstractSpinBox*>()) box->installEventFilter(this);
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
    probeButton_->setText(tr("Measure"));
    probeProgress_->setVisible(false);
    probeResult_->setText(tr("<span style='color:#a00000'>Probe: %1</span>").arg(message.toHtmlEscaped()));
  });
}

void TrainingSettingsPage::initializePage() { showPlan(); }

// A re-plan updates every page and the wizard's buttons, and Qt moves the focus off a field
// while it hides and re-shows parts of the wizard — to the main window's page list, where the
// next arrow key changes the page. The field being edited gets it back.
void TrainingSettingsPage::replanKeepingFocus() {
  const QPointer<QWidget> had = QApplication::focusWidget();
  wizard_.replan();
  if (had && had->isVisible() && QApplication::focusWidget() != had) had->setFocus(Qt::OtherFocusReason);
}

bool TrainingSettingsPage::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::KeyPress) {
    const int key = static_cast<QKeyEvent*>(event)->key();
    if (auto* box = qobject_cast<QAbstractSpinBox*>(watched); box && (key == Qt::Key_Return || key == Qt::Key_Enter)) {
      box->interpretText();  // re-plans once, with the typed value
      box->selectAll();
      return true;
    }
  }
  return QWizardPage::eventFilter(watched, event);
}

bool TrainingSettingsPage::isComplete() const { return wizard_.hasPlan(); }

QString TrainingSettingsPage::reasonsText() const { return reasons_->text(); }
QString TrainingSettingsPage::probeText() const { return probeResult_->text(); }

void TrainingSettingsPage::startProbe(double seconds) {
  if (!wizard_.hasPlan() || probe_->running()) return;
  probeButton_->setText(tr("Cancel probe"));
  probeProgress_->setVisible(true);
  probeProgress_->setValue(0);
  probeResult_->setText(tr("Reading the data and building the model, then timing 5 s of steps…"));
  probe_->start(wizard_.finalConfig(), seconds);
}

void TrainingSettingsPage::clearBars() {
  for (MemoryBar* b : bars_) {
    barsBox_->removeWidget(b);
    delete b;
  }
  bars_.clear();
}

void TrainingSettingsPage::showPlan() {
  if (!wizard_.hasPlan()) {  // no bars or reasons of another plan: the error, and Reset
    clearBars();
    fitNote_->setText(tr("<b style='color:#c00000'>No plan: %1</b>").arg(wizard_.planError().toHtmlEscaped()));
    reasons_->clear();
    Q_EMIT completeChanged();
    return;
  }
  showing_ = true;
  const TrainConfig c = wizard_.finalConfig();
  epochs_->setValue(c.run.epochs);
  steps_->setValue(c.run.stepsPerEpoch);
  patch_->setValue(c.data.patch);
  batch_->setValue(c.data.batchPerDevice);
  for (int i = 0; i < 4; ++i)
    if (kAmpModes[i] == c.run.amp) amp_->setCurrentIndex(i);
  for (int i = 0; i < 4; ++i) {
    augment_->setItemText(i, augmentItemText(kAugmentPresets[i], c.data.patch));
    if (kAugmentPresets[i] == c.data.augment) augment_->setCurrentIndex(i);
  }
  workers_->setValue(c.data.workers);
  prefetch_->setValue(c.data.prefetch);
  valFraction_->setValue(c.validation.fraction);
  seed_->setValue(static_cast<int>(c.run.seed));
  showing_ = false;

  const Plan& plan = wizard_.plan();
  clearBars();
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
