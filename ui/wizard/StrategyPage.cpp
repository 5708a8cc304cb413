#include "ui/wizard/StrategyPage.h"

#include <QButtonGroup>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/wizard/DecisionTreeView.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

StrategyPage::StrategyPage(SetupWizard& wizard) : wizard_(wizard) {
  setTitle(tr("3 · Strategy"));
  setSubTitle(tr("The planner's decision tree: the path it took and why. Pick an alternative to see what it costs."));
  tree_ = new DecisionTreeView;
  auto* scroll = new QScrollArea;
  scroll->setWidget(tree_);
  scroll->setWidgetResizable(true);
  scroll->setMinimumHeight(260);

  auto* options = new QGroupBox(tr("Strategies"));
  optionsBox_ = new QVBoxLayout(options);
  group_ = new QButtonGroup(this);
  auto* reset = new QPushButton(tr("Let the planner choose"));
  reset->setObjectName("letPlannerChoose");
  reset->setToolTip(tr("Drop the strategy, batch, patch and precision you chose"));
  connect(reset, &QPushButton::clicked, this, [this] { chooseOption(-1); });
  warnings_ = new QLabel;
  warnings_->setWordWrap(true);
  warnings_->setStyleSheet("color: #8a5a00");
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #a00000");

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(scroll, 3);
  layout->addWidget(options);
  layout->addWidget(reset, 0, Qt::AlignLeft);
  layout->addWidget(warnings_);
  layout->addWidget(error_);

  connect(tree_, &DecisionTreeView::strategyClicked, this, &StrategyPage::chooseOption);
  connect(&wizard_, &SetupWizard::planChanged, this, &StrategyPage::showPlan);
}

void StrategyPage::initializePage() { showPlan(); }

bool StrategyPage::isComplete() const { return wizard_.hasPlan(); }

void StrategyPage::chooseOption(int index) {
  if (index < 0 || !wizard_.hasPlan()) {
    wizard_.clearPlannerChoices();  // the planner's own plan: no forced batch or precision either
  } else {
    const auto& opts = wizard_.plan().options;
    if (index >= static_cast<int>(opts.size())) return;
    wizard_.constraints().strategy = opts[index].kind;
  }
  wizard_.replan();
}

QStringList StrategyPage::optionTexts() const {
  QStringList out;
  for (QAbstractButton* b : group_->buttons()) out << (b->isChecked() ? "* " : "  ") + b->toolTip();  // the full text
  return out;
}

QString StrategyPage::warningText() const { return warnings_->text(); }

QAbstractButton* StrategyPage::optionButton(StrategyKind kind) const {
  if (!wizard_.hasPlan()) return nullptr;
  const auto& opts = wizard_.plan().options;
  for (QAbstractButton* b : group_->buttons()) {
    const int i = group_->id(b);
    if (i >= 0 && i < int(opts.size()) && opts[size_t(i)].kind == kind) return b;
  }
  return nullptr;
}

void StrategyPage::showPlan() {
  error_->setText(wizard_.planError());
  for (QAbstractButton* b : group_->buttons()) {
    group_->removeButton(b);
    optionsBox_->removeWidget(b);
    b->hide();
    b->deleteLater();  // may be the button whose click triggered this re-plan
  }
  if (!wizard_.hasPlan()) {
    tree_->setPlan(Plan{});  // never the tree of other hardware or constraints
    warnings_->clear();
    Q_EMIT completeChanged();
    return;
  }
  const Plan& plan = wizard_.plan();
  tree_->setPlan(plan);
  for (int i = 0; i < static_cast<int>(plan.options.size()); ++i) {
    const StrategyOption& o = plan.options[i];
    // Short on the button (the window must not grow to the longest summary); all in the tooltip.
    QString text = QString::fromStdString(o.summary);
    if (text.size() > 90) text = text.left(text.lastIndexOf(' ', 90)) + QString::fromUtf8(" …");
    text += tr("  (×%1)").arg(o.estimatedSpeedup, 0, 'f', 1);
    if (o.recommended) text += tr("  — recommended");
    auto* radio = new QRadioButton(text);
    radio->setToolTip(QString::fromStdString(o.summary) + (o.cost.empty() ? QString() : "\n\n" + tr("Cost: ") + QString::fromStdString(o.cost)));
    radio->setChecked(o.kind == plan.config.strategy);
    group_->addButton(radio, i);
    optionsBox_->addWidget(radio);
    connect(radio, &QRadioButton::clicked, this, [this, i] { chooseOption(i); });
  }
  QStringList w;
  for (const std::string& s : plan.warnings) w << QString::fromUtf8("⚠ ") + QString::fromStdString(s);
  warnings_->setText(w.join("\n"));
  Q_EMIT completeChanged();
}

}  // namespace vwb::ui
