#include "ui/monitor/ComparedRunsBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

#include "ui/monitor/ComparedRuns.h"

namespace vwb::ui {

ComparedRunsBar::ComparedRunsBar(ComparedRuns& runs, QWidget* parent) : QWidget(parent), runs_(runs) {
  auto* bar = new QHBoxLayout(this);
  bar->setContentsMargins(0, 0, 0, 0);
  bar->addWidget(new QLabel(tr("Compared with:")));
  chips_ = new QHBoxLayout;
  chips_->setSpacing(10);
  bar->addLayout(chips_);
  bar->addStretch();
  setVisible(false);
  connect(&runs_, &ComparedRuns::added, this, &ComparedRunsBar::addChip);
  connect(&runs_, &ComparedRuns::removed, this, &ComparedRunsBar::removeChip);
}

void ComparedRunsBar::addChip(const QString& dir) {
  const ComparedRun& run = *runs_.runs().back();
  auto* chip = new QWidget;
  auto* row = new QHBoxLayout(chip);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(3);
  auto* swatch = new QLabel;
  swatch->setFixedSize(14, 10);
  swatch->setStyleSheet(QString("background: %1;").arg(run.color.name()));
  auto* name = new QLabel(run.name);
  name->setToolTip(dir);
  auto* remove = new QToolButton;
  remove->setObjectName("removeCompared");
  remove->setText(QString::fromUtf8("×"));
  remove->setAutoRaise(true);
  remove->setToolTip(tr("Stop comparing with %1").arg(run.name));
  remove->setAccessibleName(tr("Remove %1").arg(run.name));
  row->addWidget(swatch);
  row->addWidget(name);
  row->addWidget(remove);
  connect(remove, &QToolButton::clicked, this, [this, dir] { runs_.remove(dir); });
  chips_->addWidget(chip);
  chipOf_[dir] = chip;
  setVisible(true);
}

void ComparedRunsBar::removeChip(const QString& dir) {
  auto it = chipOf_.find(dir);
  if (it != chipOf_.end()) {
    it->second->deleteLater();  // its × may be the button being clicked
    it->second->hide();
    chipOf_.erase(it);
  }
  setVisible(!runs_.empty());
}

}  // namespace vwb::ui
