#pragma once
// The runs the monitor overlays on the open run's curves ("Compare with run…"), as a model
// without widgets or plots: each run's metrics read once through the engine's codec
// (engine/train/MetricsJsonl.h), its epoch length (from its config.json, else estimated from its
// step lines), a name the legend can tell apart and a colour of its own. The page draws them;
// ComparedRunsBar lists them with a remove button each.
#include <memory>
#include <vector>

#include <QColor>
#include <QObject>
#include <QString>
#include <QStringList>

#include "ui/monitor/MetricsSeries.h"

namespace vwb::ui {

class Engine;

struct ComparedRun {
  QString dir;   // absolute
  QString name;  // the folder, with its parent when another run shown has that name
  QColor color;  // none of the open run's curves, nor another compared run, uses it
  MetricsSeries series;
};

class ComparedRuns : public QObject {
  Q_OBJECT

 public:
  explicit ComparedRuns(Engine& engine, QObject* parent = nullptr);

  // Adds the run in `dir`; shownRun is the run the page shows (refused, as is a run compared
  // already or one whose metrics do not read). Returns "" when added (added() went out), else why not.
  QString add(const QString& dir, const QString& shownRun);
  void remove(const QString& dir);  // removed() when it was there
  QStringList dirs() const;         // absolute folders, in the order added
  const std::vector<std::unique_ptr<ComparedRun>>& runs() const { return runs_; }
  bool empty() const { return runs_.empty(); }

 Q_SIGNALS:
  void added(const QString& dir);  // runs().back() is it
  void removed(const QString& dir);

 private:
  Engine& engine_;
  std::vector<std::unique_ptr<ComparedRun>> runs_;
};

}  // namespace vwb::ui
