#pragma once
// The setup wizard: data+fingerprint, hardware (detected or assumed), strategy (the planner's
// decision tree), training settings with per-device memory bars and an optional probe, review
// and Start. The planner (Engine::makePlan) decides; the wizard shows its plan and turns the
// user's edits into UserConstraints for a re-plan.
#include <QWizard>
#include <optional>

#include "engine/plan/HardwareInventory.h"
#include "engine/plan/Planner.h"
#include "ui/wizard/ProbeResult.h"

namespace vwb::ui {
class WorkbenchContext;
class WizardDataPage;
class HardwarePage;
class StrategyPage;
class TrainingSettingsPage;
class ReviewPage;

// Settings the planner does not choose; the wizard keeps them across re-plans.
struct UserOverrides {
  std::optional<int> workers, prefetch;
  std::optional<double> valFraction;
  std::optional<uint64_t> seed;
  std::optional<int> stepsPerEpoch;
};

class SetupWizard : public QWizard {
  Q_OBJECT
 public:
  enum PageId { DataPageId, HardwarePageId, StrategyPageId, SettingsPageId, ReviewPageId };

  explicit SetupWizard(WorkbenchContext& context, QWidget* parent = nullptr);

  WorkbenchContext& context() { return context_; }

  // Hardware: detected once, or an --assume-gpus what-if ("2x16GB"). Throws vwb::Error on a bad spec.
  const HardwareInventory& hardware() const { return hardware_; }
  void detectHardware();
  void assumeHardware(const QString& spec);

  UserConstraints& constraints() { return constraints_; }
  UserOverrides& overrides() { return overrides_; }
  // Re-runs the planner with the current hardware, fingerprint and constraints. On a planner
  // error there is no plan (never the one for other hardware or constraints) and planError()
  // says why. Reasons for values the user forced say what the planner would choose instead.
  void replan();
  // "Let the planner choose": drops the user's strategy, patch, batch, precision, workers and
  // prefetch; true when there was any. Does not re-plan.
  bool clearPlannerChoices();
  // "Reset to the plan": drops every constraint and override (epochs, steps, seed too), re-plans.
  void resetToPlan();
  // What the last hardware change reset, for the pages to show; empty when nothing was reset.
  const QString& notice() const { return notice_; }
  // Start needs the devices of this machine: a what-if plan is for reading and exporting.
  bool canStart() const { return plan_.has_value() && !hardware_.assumed; }
  QString startBlocker() const;
  bool hasPlan() const { return plan_.has_value(); }
  const Plan& plan() const { return *plan_; }
  const QString& planError() const { return planError_; }
  // The plan's config with the user's overrides and the run directory applied.
  TrainConfig finalConfig() const;
  void setRunDir(const QString& dir) { runDir_ = dir; }
  const QString& runDir() const { return runDir_; }

  std::optional<ProbeResult>& probe() { return probe_; }

  WizardDataPage* dataPage() const { return dataPage_; }
  HardwarePage* hardwarePage() const { return hardwarePage_; }
  StrategyPage* strategyPage() const { return strategyPage_; }
  TrainingSettingsPage* settingsPage() const { return settingsPage_; }
  ReviewPage* reviewPage() const { return reviewPage_; }

  // Starts a run with the current plan (what Finish does); false when there is no plan.
  bool startRun();
  // Back to the first page with a fresh plan (after a run was started, or a dataset opened).
  void restartWithDataset();

 Q_SIGNALS:
  void planChanged();
  void hardwareChanged();
  void startRequested(const vwb::TrainConfig& config);

 protected:
  void done(int result) override;  // embedded: Finish starts a run, Cancel returns to page 1

 private:
  void setHardware(HardwareInventory hardware);
  void restoreLastChoices();
  QString datasetChoice(const QString& name) const;  // a Settings key of the open dataset
  QString freshRunDir() const;
  void saveLastChoices(const TrainConfig& c) const;

  WorkbenchContext& context_;
  HardwareInventory hardware_;
  bool hardwareKnown_ = false;
  UserConstraints constraints_;
  UserOverrides overrides_;
  std::optional<Plan> plan_;
  QString planError_;
  QString notice_;
  QString runDir_;
  QString autoRunDir_;  // the name the wizard gave; a run still named so is renamed when it starts
  std::optional<ProbeResult> probe_;

  WizardDataPage* dataPage_;
  HardwarePage* hardwarePage_;
  StrategyPage* strategyPage_;
  TrainingSettingsPage* settingsPage_;
  ReviewPage* reviewPage_;
};

}  // namespace vwb::ui
