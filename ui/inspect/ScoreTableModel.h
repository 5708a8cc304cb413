#pragma once
// The Predictions page's table of scores: one row per volume (its role in the run's split,
// shape, the engine's SurfaceDice, VOI_score, TopoScore and score, foreground share and
// components), sorted by value (Qt::UserRole), with the official intermediate numbers as
// tooltips; and the headline above it (the validation mean, training volumes apart). A model
// without widgets: the page's QTableView shows it.
#include <vector>

#include <QStandardItemModel>
#include <QString>

#include "engine/infer/PostProcess.h"
#include "ui/inspect/PredictionSession.h"
#include "ui/inspect/RunSplit.h"

namespace vwb::inspect {

struct ScoreColumns {
  enum Column { Id, Role, Shape, SurfaceDice, VoiScore, TopoScore, Score, Foreground, Components, ColumnCount };
};

class ScoreTableModel : public QStandardItemModel, public ScoreColumns {
  Q_OBJECT

 public:
  explicit ScoreTableModel(QObject* parent = nullptr);

  // Replaces the rows, keeping the view's sort (column, order).
  void setRows(const std::vector<InspectRow>& rows, const RunSplit& split, int sortColumn, Qt::SortOrder order);

  // The headline: the validation mean (the only one that estimates the test score), training
  // volumes apart and marked, a mean over labelled volumes when the split is unknown; with the
  // post-processing the rows were scored with. haveVolumes: a dataset is open.
  static QString summary(const std::vector<InspectRow>& rows, const RunSplit& split, const PostProcessOptions& post,
                         bool haveVolumes);
};

}  // namespace vwb::inspect
