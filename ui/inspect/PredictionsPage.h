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
//
// The page assembles (ParaView's way): EnsembleChooser (the models), PostProcessControls,
// PredictReaction (Predict, the estimate, the long-prediction question), TuneReaction (Tune,
// Apply), ScoreTableModel (the table and its headline) and PredictionTasks (one task at a time,
// progress and Cancel). What is left here: loading a run, re-scoring, opening a row.
#include <memory>
#include <optional>

#include <QTimer>
#include <QWidget>

#include "ui/inspect/EnsembleChooser.h"
#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/PredictionTasks.h"
#include "ui/inspect/RunSplit.h"
#include "ui/inspect/ScoreTableModel.h"
#include "ui/viewer/VolumeViewer.h"

class QDoubleSpinBox;
class QLabel;
class QTableView;

namespace vwb::ui {
class WorkbenchContext;
}  // namespace vwb::ui

namespace vwb::inspect {

class PostProcessControls;
class PredictReaction;
class TuneReaction;

class PredictionsPage : public QWidget, public ScoreColumns {
  Q_OBJECT
  Q_PROPERTY(bool busy READ busy)

 public:
  using EnsembleMember = EnsembleChooser::Member;

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
  double longPredictionSeconds() const;
  void setLongPredictionSeconds(double seconds);
  std::vector<std::string> idsToPredict() const;
  QString estimateText() const;
  void startTuning();
  void applyTuning();  // the tuned setting becomes the run's (controls, masks, record)
  void cancel();
  void rescore();  // post-process + score the kept probabilities (no network)
  const std::optional<ui::PostProcessTuning>& lastTuning() const;

  bool busy() const;
  PredictionSession& session() { return session_; }
  ScoreTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QDoubleSpinBox* thresholdSpin() const;
  const std::vector<InspectRow>& rows() const { return rows_; }
  const RunSplit& split() const { return split_; }
  QString summaryText() const;

  // For the page's reactions.
  ui::WorkbenchContext& context() const { return context_; }
  QString runDir() const;
  // A task that cannot start: said on the stage line (setStage) and by taskFailed.
  void reportProblem(const QString& message, bool setStage = true);
  // A prediction's scores: they replace the table's, and the tuning made on the old ones goes.
  void showPrediction(const std::vector<InspectRow>& rows, const PostProcessOptions& post);

 Q_SIGNALS:
  void rowsUpdated();                                // the table shows fresh scores
  void tuningFinished();                             // lastTuning() holds a new result
  void taskFailed(const QString& message);
  void viewRequested(const vwb::viewer::ViewerVolumes& volumes, double threshold);

 private:
  void showScores(const std::vector<InspectRow>& rows, const PostProcessOptions& post);
  void showRows();
  void openRow(int sourceRow);
  void taskEnded(PredictionTasks::Kind kind, const QString& failure);

  ui::WorkbenchContext& context_;
  PredictionSession session_;
  std::vector<InspectRow> rows_;
  RunSplit split_;  // train/validation roles as the trainer split the run's volumes
  std::vector<InspectRow> pendingRows_;
  PostProcessOptions rowsPost_, pendingPost_;  // what rows_ (and the pending rows) were scored with
  QString lastRun_;     // the run of the last reload: another one resets the tuning
  bool rescoreQueued_ = false;
  QTimer rescoreTimer_;

  PredictionTasks* tasks_ = nullptr;
  PredictReaction* predict_ = nullptr;
  TuneReaction* tune_ = nullptr;
  PostProcessControls* post_ = nullptr;
  QLabel* summary_ = nullptr;
  ScoreTableModel* model_ = nullptr;
  QTableView* table_ = nullptr;
};

}  // namespace vwb::inspect
