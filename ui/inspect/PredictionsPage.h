#pragma once
// Inspecting a run's predictions: per-volume SurfaceDice, VOI_score, TopoScore and score (the
// engine's scorer) for the labeled volumes, foreground fraction and component count for all,
// in a sortable table. "Predict" runs the network (checkpoint, overlap, TTA) on a worker with
// progress and cancel; the probabilities are kept, so a new threshold or post-processing only
// re-scores. Double-clicking a row asks the viewer to show volume, prediction and ground truth.
#include <memory>

#include <QTimer>
#include <QWidget>

#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/RunSplit.h"
#include "ui/viewer/VolumeViewer.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTableView;

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

  // Child widgets carry object names for tests and automation: checkpoint, overlap, tta,
  // predict, cancel, progress, stage.
  explicit PredictionsPage(ui::WorkbenchContext& context, QWidget* parent = nullptr);
  ~PredictionsPage() override;

  // The volumes come from the context's dataset; the run from its run directory. Both are
  // re-read when the context changes; saved probabilities of the run are loaded and scored.
  void reload();

  void setCheckpoint(const QString& path);
  PostProcessOptions postProcessOptions() const;
  PredictOptions predictOptions() const;
  void startPrediction();
  void cancel();
  void rescore();  // post-process + score the kept probabilities (no network)

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
  void taskFailed(const QString& message);
  void viewRequested(const vwb::viewer::ViewerVolumes& volumes, double threshold);

 private:
  QWidget* buildControls();
  void runTask(const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
               std::function<void()> done);
  void showRows();
  void openRow(int sourceRow);
  void setBusy(bool busy);
  QString runDir() const;

  ui::WorkbenchContext& context_;
  PredictionSession session_;
  std::vector<InspectRow> rows_;
  RunSplit split_;  // train/validation roles as the trainer split the run's volumes
  std::vector<InspectRow> pendingRows_;
  std::unique_ptr<ui::BackgroundTask> task_;
  bool rescoreQueued_ = false;
  QTimer rescoreTimer_;

  QLineEdit* checkpoint_ = nullptr;
  QDoubleSpinBox* overlap_ = nullptr;
  QComboBox* tta_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QDoubleSpinBox* threshold_ = nullptr;
  QSpinBox* border_ = nullptr;
  QSpinBox* minComponent_ = nullptr;
  QSpinBox* closing_ = nullptr;
  QCheckBox* fillHoles_ = nullptr;
  QPushButton* predictButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* stage_ = nullptr;
  QLabel* summary_ = nullptr;
  QStandardItemModel* model_ = nullptr;
  QTableView* table_ = nullptr;
};

}  // namespace vwb::inspect
