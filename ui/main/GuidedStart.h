#pragma once
// The guided start on the Data page: open data → review the plan → train → inspect → export,
// each step a link to its page that ticks itself when the user has done it (the main window
// reports what happened; this widget only shows it).
#include <QWidget>
#include <vector>

class QLabel;

namespace vwb::ui {

class GuidedStart : public QWidget {
  Q_OBJECT
 public:
  enum Step { OpenData, ReviewPlan, Train, Inspect, Export, StepCount };

  explicit GuidedStart(QWidget* parent = nullptr);
  void setDone(Step step, bool done = true);
  bool isDone(Step step) const { return done_[step]; }
  QString stepText(Step step) const;

 Q_SIGNALS:
  void pageRequested(const QString& id);

 private:
  void refresh(Step step);
  std::vector<bool> done_;
  std::vector<QLabel*> labels_;
};

}  // namespace vwb::ui
