#pragma once
// Draws the planner's decision tree: one node per question the planner asked, the answer it
// took on the highlighted edge and its reason beside the node, ending in the strategies as
// leaves — the chosen one highlighted, the alternatives dimmed with what they cost. Everything
// drawn comes from the engine's Plan; this widget decides nothing.
#include <QWidget>

#include "engine/plan/Planner.h"

class QAbstractScrollArea;

namespace vwb::ui {

class DecisionTreeView : public QWidget {
  Q_OBJECT
 public:
  explicit DecisionTreeView(QWidget* parent = nullptr);

  void setPlan(const Plan& plan);
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return {420, 200}; }
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  // What the view shows, for tests and accessibility: one line per node/leaf.
  QStringList describe() const;

 Q_SIGNALS:
  void strategyClicked(int optionIndex);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  struct Layout;
  Layout layout(int width) const;
  QAbstractScrollArea* scrollArea() const;  // the scroll area holding this view, if any

  std::vector<DecisionStep> path_;
  std::vector<StrategyOption> options_;
  StrategyKind chosen_ = StrategyKind::Single;
  QPoint dragFrom_;
  bool dragging_ = false;
};

}  // namespace vwb::ui
