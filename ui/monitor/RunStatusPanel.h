#pragma once
// The monitor's status block: state line, epoch and step progress, ETA, throughput, memory of
// each device now, and the warnings of the run (OOM fallbacks, data problems) kept visible.
#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;

namespace vwb::ui {
class MetricsSeries;

class RunStatusPanel : public QWidget {
  Q_OBJECT
 public:
  explicit RunStatusPanel(QWidget* parent = nullptr);

  void setState(const QString& text, const QString& color = {});
  void showSeries(const MetricsSeries& series);  // progress, ETA, throughput, memory now
  void addWarning(const QString& text);
  void clearWarnings();
  int warningCount() const;
  QString stateText() const;
  QString epochText() const;  // what the epoch bar reads, "epoch 1 / 6 (0 done)"
  QString etaText() const;
  QString throughputText() const;
  QString memoryText() const;    // "cpu:0: 120 MiB (peak 180 MiB) / 23 GiB   cpu:1: ..."
  QString stepTimeText() const;  // "0.42 s/step · data wait 3 % · communication 12 % · spread ..."

 private:
  QLabel* state_;
  QProgressBar* epochBar_;
  QProgressBar* stepBar_;
  QLabel* eta_;
  QLabel* throughput_;
  QLabel* memory_;
  QLabel* shares_;
  QListWidget* warnings_;
};

}  // namespace vwb::ui
