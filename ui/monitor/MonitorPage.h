#pragma once
// The training monitor: live plots of a run (or of an opened run directory, rebuilt from
// metrics.jsonl), its status and warnings, a tail of training.log, Stop and Resume; the
// validation previews (ValidationPreviewView); other runs' curves overlaid for comparison.
// Events arrive through TrainingThread's bridge; plots refresh on a single-shot 40 ms timer with
// QCustomPlot::rpQueuedReplot, so a fast event stream costs at most ~25 replots per second.
//
// The page assembles (ParaView's way): RunControl (Stop, Resume, Open run…, New run… and the
// training thread they control), ComparedRuns (the compared runs' model) with its
// ComparedRunsBar, MonitorPlots (the plots and how series are drawn on them); what is left here
// is feeding the series from a live run or a loaded metrics.jsonl and saying when to draw.
#include <map>
#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "engine/run/RunFolder.h"
#include "engine/train/TrainConfig.h"
#include "ui/monitor/MetricsSeries.h"

class QComboBox;
class QPushButton;

namespace vwb::ui {
class ComparedRuns;
class ComparedRunsBar;
class LogTail;
class MetricsLoader;
class MonitorPlot;
class MonitorPlots;
class RunControl;
class RunStatusPanel;
class RunValidationControl;
class TrainingThread;
class ValidationPreviewView;
class WorkbenchContext;

class MonitorPage : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kReplotIntervalMs = 40;

  explicit MonitorPage(WorkbenchContext& context, QWidget* parent = nullptr);
  ~MonitorPage() override;

  // Starts a new run (or a resume when config.resume) on a worker thread.
  void startRun(const TrainConfig& config);
  // Shows an existing run: plots from metrics.jsonl, the log, Resume enabled. Returns false
  // (and says why in the status) when the directory has no readable metrics. The file loads in
  // the background (MetricsLoader): the curves fill in, loading() is true until runLoaded().
  bool openRun(const QString& runDir);
  bool loading() const;
  void resumeRun();  // resumes the open run from its last checkpoint
  void stopRun();    // the engine finishes the step and writes a checkpoint
  bool isTraining() const;
  QPushButton* stopButton() const;
  QPushButton* resumeButton() const;
  QString runDir() const { return runDir_; }  // the run shown (absolute), "" before any
  // Closing while training: stop, then wait (processing events) until the worker returned.
  void stopAndWait();

  const MetricsSeries& series() const { return series_; }
  int replotCount() const { return replots_; }
  QList<MonitorPlot*> plots() const;
  // Saves every plot as <dir>/<name>.png and .pdf; returns the files written.
  QStringList savePlots(const QString& dir);
  RunStatusPanel* statusPanel() const { return status_; }
  ValidationPreviewView* previewView() const { return preview_; }
  RunValidationControl* validationControl() const { return validation_; }

  // Overlays another run's loss and validation curves (from its metrics.jsonl, read once) in a
  // colour of its own, named in the legends. False, with the reason in the status, for the open
  // run itself, a run already compared, or a folder without readable metrics.
  bool compareRun(const QString& runDir);
  void removeComparedRun(const QString& runDir);
  QStringList comparedRuns() const;  // absolute folders, in the order added
  // Step-based plots (loss, lr, memory, throughput) by global step or by epoch (step / steps per
  // epoch of each run: runs of different epoch lengths line up); the validation plot is by epoch.
  enum class XAxis { Step, Epoch };
  void setXAxis(XAxis axis);
  XAxis xAxis() const { return xAxis_; }

 Q_SIGNALS:
  void runFinished(int outcome, const QString& message);  // outcome: vwb::RunOutcome
  void runLoaded();  // an opened run's metrics.jsonl is read to its end

 private:
  void connectRun(TrainingThread* run);
  void connectLoader();
  void scheduleReplot();
  void refreshPlots();
  void updateButtons();
  void onRunEnded(int outcome, const QString& message);
  void saveAllDialog();
  void compareRunDialog();

  WorkbenchContext& context_;
  MetricsSeries series_;
  QString runDir_;
  // A path of the shown run folder (engine/run/RunFolder.h).
  QString runPath(std::string (RunFolder::*path)() const) const {
    return QString::fromStdString((RunFolder(runDir_.toStdString()).*path)());
  }
  QTimer replotTimer_;
  int replots_ = 0;

  RunControl* control_;
  RunStatusPanel* status_;
  RunValidationControl* validation_;
  LogTail* log_;
  MonitorPlots* plots_;
  QPushButton* save_;
  QPushButton* compare_;
  QComboBox* xAxisBox_;
  ValidationPreviewView* preview_;
  MetricsLoader* loader_;
  ComparedRuns* compared_;
  ComparedRunsBar* compareBar_;
  XAxis xAxis_ = XAxis::Step;
};

}  // namespace vwb::ui
