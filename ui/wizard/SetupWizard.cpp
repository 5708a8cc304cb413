#include "ui/wizard/SetupWizard.h"

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
}

// Only what expresses the user's intent comes back; hardware-dependent choices (batch, patch,
// workers, strategy) are the planner's to make afresh.
void SetupWizard::restoreLastChoices() {
  Settings s;
  if (const QVariant v = s.lastChoice("epochs"); v.isValid()) constraints_.epochs = v.toInt();
  if (const QVariant v = s.lastChoice("stepsPerEpoch"); v.isValid()) overrides_.stepsPerEpoch = v.toInt();
  if (const QVariant v = s.lastChoice("valFraction"); v.isValid()) overrides_.valFraction = v.toDouble();
  if (const QVariant v = s.lastChoice("seed"); v.isValid()) overrides_.seed = v.toULongLong();
}

void SetupWizard::saveLastChoices(const TrainConfig& c) const {
  Settings s;
  s.setLastChoice("epochs", c.epochs);
  s.setLastChoice("stepsPerEpoch", c.stepsPerEpoch);
  s.setLastChoice("valFraction", c.valFraction);
  s.setLastChoice("seed", QVariant::fromValue<qulonglong>(c.seed));
}

void SetupWizard::detectHardware() {
  hardware_ = context_.engine().detectHardware();
  hardwareKnown_ = true;
  Q_EMIT hardwareChanged();
  replan();
}

void SetupWizard::assumeHardware(const QString& spec) {
  hardware_ = context_.engine().assumeGpus(spec.toStdString());  // throws on a bad spec
  hardwareKnown_ = true;
  Q_EMIT hardwareChanged();
  replan();
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
    plan_ = context_.engine().makePlan(hardware_, *context_.fingerprint(), constraints_);
    planError_.clear();
  } catch (const std::exception& e) {
    planError_ = QString::fromStdString(e.what());
  }
  Q_EMIT planChanged();
}

TrainConfig SetupWizard::finalConfig() const {
  TrainConfig c = plan_ ? plan_->config : TrainConfig{};
  if (overrides_.workers) c.workers = *overrides_.workers;
  if (overrides_.prefetch) c.prefetch = *overrides_.prefetch;
  if (overrides_.valFraction) c.valFraction = *overrides_.valFraction;
  if (overrides_.seed) c.seed = *overrides_.seed;
  if (overrides_.stepsPerEpoch) c.stepsPerEpoch = *overrides_.stepsPerEpoch;
  if (context_.hasDataset()) c.dataDir = context_.dataset().root;
  c.runDir = runDir_.toStdString();
  c.resume = false;
  return c;
}

void SetupWizard::restartWithDataset() {
  plan_.reset();
  probe_.reset();
  const QString base = context_.demoDir().isEmpty() ? Settings().runsRoot() : context_.demoDir() + "/runs";
  runDir_ = QDir(base).filePath("run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
  restart();
  replan();
}

bool SetupWizard::startRun() {
  if (!plan_) return false;
  const TrainConfig config = finalConfig();
  saveLastChoices(config);
  Q_EMIT startRequested(config);
  restartWithDataset();  // a fresh run directory for the next run
  return true;
}

void SetupWizard::done(int result) {
  // Embedded in the main window: never close; Finish hands the config to whoever starts runs.
  if (result == QDialog::Accepted && startRun()) return;
  restart();
}

}  // namespace vwb::ui
