#pragma once
// The compared runs in one row above the plots: a colour swatch, the run's name (its folder as
// tooltip) and × (object name removeCompared) each; hidden when none is compared.
#include <map>

#include <QWidget>

class QHBoxLayout;

namespace vwb::ui {

class ComparedRuns;

class ComparedRunsBar : public QWidget {
  Q_OBJECT

 public:
  explicit ComparedRunsBar(ComparedRuns& runs, QWidget* parent = nullptr);

 private:
  void addChip(const QString& dir);
  void removeChip(const QString& dir);

  ComparedRuns& runs_;
  QHBoxLayout* chips_ = nullptr;
  std::map<QString, QWidget*> chipOf_;
};

}  // namespace vwb::ui
