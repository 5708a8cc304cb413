#include "ui/wizard/StrategyPage.h"

#include <algorithm>

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
  for (QAbstractButton* b : group_->buttons()) group_->removeButton(b);
  while (QLayoutItem* item = optionsBox_->takeAt(0)) {
    if (QWidget* w = item->widget()) {
      w->hide();
      w->deleteLater();  // may be the button whose click triggered this re-plan
    }
    delete item;
  }
  if (!wizard_.hasPlan()) {
    tree_->setPlan(Plan{});  // never the tree of other hardware or constraints
    warnings_->clear();
    Q_EMIT completeChanged();
    return;
  }
  const Plan& plan = wizard_.plan();
  tree_->setPlan(plan);
  // One fixed order (by strategy), whichever is chosen: a click never moves the list under the
  // mouse. The button names the strategy and its speed; the rest of its summary wraps under it
  // (nothing is cut with "…", and the window does not grow to the longest summary).
  std::vector<int> order(plan.options.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return plan.options[a].kind < plan.options[b].kind; });
  for (const int i : order) {
    const StrategyOption& o = plan.options[i];
    const QString summary = QString::fromStdString(o.summary);
    const int colon = summary.indexOf(':');
    QString text = colon > 0 ? summary.left(colon) : summary;
    text += tr("  (×%1 the speed of one device)").arg(o.estimatedSpeedup, 0, 'f', 1);
    if (o.recommended) text += tr("  — recommended");
    auto* radio = new QRadioButton(text);
    radio->setToolTip(summary + (o.cost.empty() ? QString() : "\n\n" + tr("Cost: ") + QString::fromStdString(o.cost)));
    radio->setChecked(o.kind == plan.config.distributed.strategy);
    group_->addButton(radio, i);
    optionsBox_->addWidget(radio);
    if (colon > 0) {
      auto* detail = new QLabel(summary.mid(colon + 1).trimmed());
      detail->setWordWrap(true);
      detail->setContentsMargins(24, 0, 0, 4);
      detail->setStyleSheet("color: palette(mid)");
      optionsBox_->addWidget(detail);
    }
    connect(radio, &QRadioButton::clicked, this, [this, i] { chooseOption(i); });
  }
  QStringList w;
  for (const std::string& s : plan.warnings) w << QString::fromUtf8("⚠ ") + QString::fromStdString(s);
  warnings_->setText(w.join("\n"));
  Q_EMIT completeChanged();
}

}  // namespace vwb::ui
