#pragma once
// One device's memory estimate against its capacity. Green while it fits with the planner's
// safety margin, orange inside the margin, red beyond it — i.e. red BEFORE it would not fit.
#include <QWidget>

#include "engine/plan/Planner.h"

namespace vwb::ui {

class MemoryBar : public QWidget {
  Q_OBJECT
 public:
  enum class Level { Fits, Tight, TooBig };

  explicit MemoryBar(QWidget* parent = nullptr);
  void setBudget(const DeviceBudget& budget, double safetyMargin);
  Level level() const { return level_; }
  QColor color() const;
  QString text() const;
  QSize sizeHint() const override { return {360, 24}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  DeviceBudget budget_;
  double margin_ = 0.15;
  Level level_ = Level::Fits;
};

}  // namespace vwb::ui
