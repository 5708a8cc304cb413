#pragma once
// Wizard page 3: the planner's decision tree, drawn with the path taken and each reason, and
// the strategies it considered; picking an alternative re-plans with that strategy forced.
#include <QWizardPage>

#include "engine/train/TrainConfig.h"

class QAbstractButton;
class QButtonGroup;
class QLabel;
class QVBoxLayout;

namespace vwb::ui {
class DecisionTreeView;
class SetupWizard;

class StrategyPage : public QWizardPage {
  Q_OBJECT
 public:
  explicit StrategyPage(SetupWizard& wizard);
  void initializePage() override;
  bool isComplete() const override;

  DecisionTreeView* tree() const { return tree_; }
  // Forces option i of the current plan (or lets the planner choose with -1).
  void chooseOption(int index);
  QStringList optionTexts() const;  // summary and cost of each option, the chosen one marked "* "
  QString warningText() const;
  // The radio button of the current plan's option of this kind (null when the plan has none).
  QAbstractButton* optionButton(StrategyKind kind) const;

 private:
  void showPlan();
  SetupWizard& wizard_;
  DecisionTreeView* tree_;
  QVBoxLayout* optionsBox_;
  QButtonGroup* group_;
  QLabel* warnings_;
  QLabel* error_;
};

}  // namespace vwb::ui
