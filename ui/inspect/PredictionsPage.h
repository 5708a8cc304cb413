#pragma once
// Inspecting a run's predictions: per-volume SurfaceDice, VOI_score, TopoScore and score (the
// engine's scorer) for the labeled volumes, foreground fraction and component count for all,
// in a sortable table. "Predict" runs the network (one checkpoint, or a weighted ensemble of
// several: vwb predict --checkpoint A B --weights ..., overlap, TTA) on a worker with progress
// and cancel; the probabilities are kept, so a new threshold or post-processing only re-scores.
// "Tune" runs vwb tune's search on the validation volumes' probabilities (no network) and shows
// the validation mean before and after; "Apply" makes the tuned setting the run's
// post-processing (its record, RUN/predictions/postprocess.json, which the controls reload
// when a run is opened). Double-clicking a row asks the viewer to show volume, prediction and
// ground truth.
#include <memory>
#include <optional>

#include <QTimer>
#include <QWidget>

#include "ui/inspect/PredictionEstimate.h"
#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/RunSplit.h"
#include "ui/viewer/VolumeViewer.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QTableWidget;

namespace vwb::ui {
class BackgroundTask;
class WorkbenchContext;
}  // namespace vwb::ui

namespace vwb::inspect {

class PredictionsPage : public QWidget {
  Q_OBJECT
  Q_PROPERTY(bool busy READ busy)

 public:
  enum Column { Id, Role, Shape, SurfaceDice, VoiScore, TopoScore, Score, Foreground, Components, ColumnCount };

  // One model of the prediction; several are an ensemble (weights normalized to sum 1).
  struct EnsembleMember {
    QString checkpoint;
    double weight = 1;
  };

  // Child widgets carry object names for tests and automation: models (the checkpoints, a
  // weight spin box in each row's second cell), modelChoice, addModel, removeModel, overlap,
  // tta, predict, cancel, progress, stage; threshold, plugHoles, closing, sheetClosing,
  // fillHoles, border, minComponent; tune, applyTuned, tuneResult; predictValidation,
  // predictTest, predictTraining (what Predict runs on: validation and test by default), estimate
  // (tiles and time), and the dialog longPrediction with its buttons predictAnyway / goOn,
  // cheaper and stop.
  explicit PredictionsPage(ui::WorkbenchContext& context, QWidget* parent = nullptr);
  ~PredictionsPage() override;

  // The volumes come from the context's dataset; the run from its run directory. Both are
  // re-read when the context changes; the post-processing controls take the run's record and
  // saved probabilities of the run are loaded and scored.
  void reload();

  void setCheckpoint(const QString& path);                 // one model: the plain prediction
  void addCheckpoint(const QString& path, double weight = 1);
  std::vector<EnsembleMember> ensemble() const;
  PostProcessOptions postProcessOptions() const;
  void setPostProcessOptions(const PostProcessOptions& options);  // the controls only (no re-score)
  PredictOptions predictOptions() const;
  // Predicts the chosen volumes. When the measured tile rate says it would take longer than
  // longPredictionSeconds(), asks first (the dialog offers the cheaper setting); without a
  // measured rate it starts and asks once the first seconds have measured one.
  void startPrediction();
  double longPredictionSeconds() const { return longPredictionSeconds_; }
  void setLongPredictionSeconds(double seconds) { longPredictionSeconds_ = seconds; }
  std::vector<std::string> idsToPredict() const;
  QString estimateText() const;
  void startTuning();
  void applyTuning();  // the tuned setting becomes the run's (controls, masks, record)
  void cancel();
  void rescore();  // post-process + score the kept probabilities (no network)
  const std::optional<ui::PostProcessTuning>& lastTuning() const { return tuning_; }

  bool busy() const;
  PredictionSession& session() { return session_; }
  QStandardItemModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QDoubleSpinBox* thresholdSpin() const { return threshold_; }
  const std::vector<InspectRow>& rows() const { return rows_; }
  const RunSplit& split() const { return split_; }
  QString summaryText() const;

 Q_SIGNALS:
  void rowsUpdated();                                // the table shows fresh scores
  void tuningFinished();                             // lastTuning() holds a new result
  void taskFailed(const QString& message);
  void viewRequested(const vwb::viewer::ViewerVolumes& volumes, double threshold);

 private:
  enum class TaskKind { Load, Score, Predict, Tune, Open };

  QWidget* buildControls();
  QWidget* buildModels();
  void runTask(TaskKind kind, const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
               std::function<void()> done);
  void showRows();
  void showTuning();
  void fillModelChoice();
  void addChosenModel();
  void removeChosenModel();
  std::vector<std::string> tuneIds(QString* why) const;
  void openRow(int sourceRow);
  void updateEstimate();
  void startPredictionNow();
  void askAboutLongPrediction(double seconds, int64_t tiles, double rate, bool running);
  void showReading(const MeteredPredictor::Reading& reading, bool rateKnownBefore);
  std::vector<Shape3> shapesOf(const std::vector<std::string>& ids) const;
  void setBusy(bool busy);
  QString runDir() const;

  ui::WorkbenchContext& context_;
  PredictionSession session_;
  std::vector<InspectRow> rows_;
  RunSplit split_;  // train/validation roles as the trainer split the run's volumes
  std::vector<InspectRow> pendingRows_;
  PostProcessOptions rowsPost_, pendingPost_;  // what rows_ (and the pending rows) were scored with
  std::optional<ui::PostProcessTuning> tuning_, pendingTuning_;
  QString tuningNote_;  // which volumes the tuning used
  bool tuningApplied_ = false;
  QString lastRun_;     // the run of the last reload: another one resets the models
  std::unique_ptr<ui::BackgroundTask> task_;
  TaskKind taskKind_ = TaskKind::Load;
  bool rescoreQueued_ = false;
  QTimer rescoreTimer_;

  QTableWidget* models_ = nullptr;
  QComboBox* modelChoice_ = nullptr;
  QPushButton* removeModel_ = nullptr;
  QDoubleSpinBox* overlap_ = nullptr;
  QComboBox* tta_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QSpinBox* border_ = nullptr;
  QSpinBox* minComponent_ = nullptr;
  QSpinBox* closing_ = nullptr;
  QSpinBox* sheetClosing_ = nullptr;
  QCheckBox* plugHoles_ = nullptr;
  QCheckBox* fillHoles_ = nullptr;
  QPushButton* tuneButton_ = nullptr;
  QPushButton* applyButton_ = nullptr;
  QLabel* tuneResult_ = nullptr;
  QPushButton* predictButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* stage_ = nullptr;
  QLabel* summary_ = nullptr;
  QCheckBox* predictValidation_ = nullptr;
  QCheckBox* predictTest_ = nullptr;
  QCheckBox* predictTraining_ = nullptr;
  QLabel* estimate_ = nullptr;
  double longPredictionSeconds_ = 10 * 60;
  bool restartCheaper_ = false;  // a running prediction was stopped for the cheaper setting
  QStandardItemModel* model_ = nullptr;
  QTableView* table_ = nullptr;
};

}  // namespace vwb::inspect
