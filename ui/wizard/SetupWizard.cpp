#include "ui/wizard/SetupWizard.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>

#include "engine/core/Error.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/wizard/HardwarePage.h"
#include "ui/wizard/ReviewPage.h"
#include "ui/wizard/StrategyPage.h"
#include "ui/wizard/TrainingSettingsPage.h"
#include "ui/wizard/WizardDataPage.h"

namespace vwb::ui {

SetupWizard::SetupWizard(WorkbenchContext& context, QWidget* parent)
    : QWizard(parent), context_(context) {
  setWindowTitle(tr("New training run"));
  setWizardStyle(QWizard::ModernStyle);
  setOption(QWizard::NoBackButtonOnStartPage);
  setButtonText(QWizard::FinishButton, tr("Start training"));
  dataPage_ = new WizardDataPage(*this);
  hardwarePage_ = new HardwarePage(*this);
  strategyPage_ = new StrategyPage(*this);
  settingsPage_ = new TrainingSettingsPage(*this);
  reviewPage_ = new ReviewPage(*this);
  setPage(DataPageId, dataPage_);
  setPage(HardwarePageId, hardwarePage_);
  setPage(StrategyPageId, strategyPage_);
  setPage(SettingsPageId, settingsPage_);
  setPage(ReviewPageId, reviewPage_);
  connect(&context_, &WorkbenchContext::datasetChanged, this, &SetupWizard::restartWithDataset);
  restoreLastChoices();
  // A wizard made while a dataset is already open starts with a run folder and a plan too (the
  // window's wizard gets both from restartWithDataset when the first dataset opens); plan() of a
  // wizard without one would read an empty optional.
  runDir_ = autoRunDir_ = freshRunDir();
  if (context_.fingerprint()) replan();
}

// Only what expresses the user's intent comes back; hardware-dependent choices (batch, patch,
// workers, strategy) are the planner's to make afresh.
// Epochs, steps per epoch and the patch are remembered per dataset (another dataset has its
// own sizes): the dataset's folder names them.
QString SetupWizard::datasetChoice(const QString& name) const {
  const QString root = context_.hasDataset() ? QString::fromStdString(context_.dataset().root) : QString();
  return root.isEmpty() ? QString() : "dataset/" + QString::fromLatin1(root.toUtf8().toBase64(QByteArray::Base64UrlEncoding)) + "/" + name;
}

void SetupWizard::restoreLastChoices() {
  Settings s;
  constraints_.epochs.reset();
  constraints_.patch.reset();
  overrides_.stepsPerEpoch.reset();
  if (!datasetChoice("epochs").isEmpty()) {
    if (const QVariant v = s.lastChoice(datasetChoice("epochs")); v.isValid()) constraints_.epochs = v.toInt();
    if (const QVariant v = s.lastChoice(datasetChoice("stepsPerEpoch")); v.isValid()) overrides_.stepsPerEpoch = v.toInt();
    if (const QVariant v = s.lastChoice(datasetChoice("patch")); v.isValid()) constraints_.patch = v.toInt();
  }
  if (const QVariant v = s.lastChoice("valFraction"); v.isValid()) overrides_.valFraction = v.toDouble();
  if (const QVariant v = s.lastChoice("seed"); v.isValid()) overrides_.seed = v.toULongLong();
}

void SetupWizard::saveLastChoices(const TrainConfig& c) const {
  Settings s;
  if (!datasetChoice("epochs").isEmpty()) {
    s.setLastChoice(datasetChoice("epochs"), c.run.epochs);
    s.setLastChoice(datasetChoice("stepsPerEpoch"), c.run.stepsPerEpoch);
    s.setLastChoice(datasetChoice("patch"), QVariant::fromValue<qlonglong>(c.data.patch));
  }
  s.setLastChoice("valFraction", c.validation.fraction);
  s.setLastChoice("seed", QVariant::fromValue<qulonglong>(c.run.seed));
}

void SetupWizard::detectHardware() { setHardware(context_.engine().detectHardware()); }

void SetupWizard::assumeHardware(const QString& spec) {
  setHardware(context_.engine().assumeGpus(spec.toStdString()));  // throws on a bad spec
}

// Batch, patch, strategy and precision were chosen for the old hardware (an fp16 chosen for a
// T4 is an error on a CPU): other hardware starts from the planner's choices again.
void SetupWizard::setHardware(HardwareInventory hardware) {
  const bool changed = hardwareKnown_ && (hardware.summary() != hardware_.summary() || hardware.assumed != hardware_.assumed);
  hardware_ = std::move(hardware);
  hardwareKnown_ = true;
  if (changed) {
    probe_.reset();
    notice_ = clearPlannerChoices()
                  ? tr("Other hardware: strategy, patch, batch, precision and workers are the planner's choices again.")
                  : QString();
  }
  Q_EMIT hardwareChanged();
  replan();
}

bool SetupWizard::clearPlannerChoices() {
  UserConstraints& c = constraints_;
  const bool any = c.strategy || c.patch || c.batchPerDevice || c.amp || c.augment || !c.devices.empty() ||
                   overrides_.workers || overrides_.prefetch;
  c.strategy.reset();
  c.patch.reset();
  c.batchPerDevice.reset();
  c.amp.reset();
  c.augment.reset();
  c.devices.clear();
  overrides_.workers.reset();
  overrides_.prefetch.reset();
  return any;
}

void SetupWizard::resetToPlan() {
  clearPlannerChoices();
  constraints_.epochs.reset();
  overrides_ = UserOverrides{};
  notice_.clear();
  replan();
}

QString SetupWizard::startBlocker() const {
  if (!plan_) return planError_.isEmpty() ? tr("There is no plan yet.") : planError_;
  if (hardware_.assumed)
    return tr("Planned for assumed hardware (%1): this machine cannot run it. Save the config or copy the "
              "command line and run it on that machine, or uncheck \"Plan for other hardware\" on page 2 to "
              "plan for this one.").arg(QString::fromStdString(hardware_.summary()));
  return {};
}

void SetupWizard::replan() {
  if (!context_.fingerprint()) {
    planError_ = tr("Open a dataset first: the planner needs its fingerprint.");
    plan_.reset();
    Q_EMIT planChanged();
    return;
  }
  if (!hardwareKnown_) {
    try {
      hardware_ = context_.engine().detectHardware();
      hardwareKnown_ = true;
    } catch (const std::exception& e) {
      planError_ = QString::fromStdString(e.what());
      Q_EMIT planChanged();
      return;
    }
  }
  try {
    Engine& engine = context_.engine();
    // What the data page knows of the chunk cache: the plan says whether training must
    // preprocess first and whether the disk holds the cache (as vwb plan does); a forced choice
    // comes back explained (the engine's planTraining, vwb plan's).
    std::optional<DatasetCacheStatus> cache;
    if (context_.hasDataset()) cache = engine.cacheStatus(context_.dataset(), nullptr);
    Plan plan = engine.planTraining(hardware_, *context_.fingerprint(), cache ? &*cache : nullptr, constraints_);
    plan_ = std::move(plan);
    planError_.clear();
  } catch (const std::exception& e) {
    plan_.reset();
    planError_ = QString::fromStdString(e.what());
  }
  Q_EMIT planChanged();
}

TrainConfig SetupWizard::finalConfig() const {
  TrainConfig c = plan_ ? plan_->config : TrainConfig{};
  if (overrides_.workers) c.data.workers = *overrides_.workers;
  if (overrides_.prefetch) c.data.prefetch = *overrides_.prefetch;
  if (overrides_.valFraction) c.validation.fraction = *overrides_.valFraction;
  if (overrides_.seed) c.run.seed = *overrides_.seed;
  if (overrides_.stepsPerEpoch) c.run.stepsPerEpoch = *overrides_.stepsPerEpoch;
  if (context_.hasDataset()) c.run.dataDir = context_.dataset().root;
  c.run.dir = runDir_.toStdString();
  c.run.resume = false;
  return c;
}

QString SetupWizard::freshRunDir() const {
  // The demo's runs under DEMO/runs, any other dataset's under the settings' runs root.
  return QDir(context_.newRunsRoot()).filePath("run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
}

void SetupWizard::restartWithDataset() {
  plan_.reset();
  probe_.reset();
  runDir_ = autoRunDir_ = freshRunDir();
  restoreLastChoices();  // this dataset's epochs, steps and patch
  restart();
  replan();
}

bool SetupWizard::startRun() {
  if (!canStart()) return false;
  // A run is named for when it starts, not for when the wizard was reset (unless the user
  // named it).
  if (runDir_ == autoRunDir_) runDir_ = autoRunDir_ = freshRunDir();
  const TrainConfig config = finalConfig();
  saveLastChoices(config);
  Q_EMIT startRequested(config);
  restartWithDataset();  // a fresh run directory for the next run
  return true;
}

void SetupWizard::done(int result) {
  // Embedded in the main window: never close; Finish hands the config to whoever starts runs.
  // A Finish that cannot start (what-if hardware) keeps the page and its reason in view.
  if (result == QDialog::Accepted) {
    startRun();
    return;
  }
  restart();
}

}  // namespace vwb::ui
