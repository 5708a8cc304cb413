#pragma once
// The monitor's six plots — training loss, validation per epoch, learning rate, device memory,
// throughput, step time — and how a run's series and the compared runs' are drawn on them, by
// step or by epoch (ITK-SNAP keeps its renderers apart from the widget that hosts them; here the
// page lays the plots out and says when to draw). A plot the user zoomed or panned keeps its view.
#include <map>

#include <QColor>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "ui/monitor/MetricsSeries.h"

class QCPAxis;
class QCPGraph;

namespace vwb::ui {

class ComparedRuns;
struct ComparedRun;
class MonitorPlot;

class MonitorPlots : public QObject {
  Q_OBJECT

 public:
  explicit MonitorPlots(QObject* parent = nullptr);

  MonitorPlot* loss() const { return loss_; }
  MonitorPlot* validation() const { return val_; }
  MonitorPlot* learningRate() const { return lr_; }
  MonitorPlot* memory() const { return memory_; }
  MonitorPlot* throughput() const { return throughput_; }
  MonitorPlot* stepTime() const { return stepTime_; }
  QList<MonitorPlot*> all() const;  // in that order

  // Draws the shown run's series (its curves named `runName` beside compared runs) and the
  // compared runs' curves; replots queued.
  void draw(const MetricsSeries& series, const QString& runName, const ComparedRuns& compared, bool byEpoch);
  // A compared run's curves in its colour, named in the legends (drawn by the next draw()).
  void addCompared(const ComparedRun& run);
  void removeCompared(const QString& dir);
  // Saves every plot as <dir>/<name>.png and .pdf; returns the files written.
  QStringList save(const QString& dir);

 Q_SIGNALS:
  void viewReset();  // a plot's view was given back to the data (double-click)

 private:
  static QColor deviceColor(int index);
  static void padValueRange(QCPAxis* axis);
  void drawStepTime(const MetricsSeries& series, bool byEpoch);  // data wait, communication, spread, GPU busy
  void drawCompared(const ComparedRuns& compared, bool byEpoch);

  struct ComparedGraphs {
    QCPGraph *loss = nullptr, *valDice = nullptr, *valLoss = nullptr;
  };

  MonitorPlot* loss_ = nullptr;
  MonitorPlot* val_ = nullptr;
  MonitorPlot* lr_ = nullptr;
  MonitorPlot* memory_ = nullptr;
  MonitorPlot* throughput_ = nullptr;
  MonitorPlot* stepTime_ = nullptr;
  std::map<QString, ComparedGraphs> comparedGraphs_;
};

}  // namespace vwb::ui
