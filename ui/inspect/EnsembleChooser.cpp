#include "ui/inspect/EnsembleChooser.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/run/RunFolder.h"

namespace vwb::inspect {

EnsembleChooser::EnsembleChooser(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  models_ = new QTableWidget(0, 2);
  models_->setObjectName("models");
  models_->setHorizontalHeaderLabels({tr("Checkpoint"), tr("Weight")});
  models_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  models_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  models_->verticalHeader()->hide();
  models_->setSelectionBehavior(QAbstractItemView::SelectRows);
  models_->setSelectionMode(QAbstractItemView::SingleSelection);
  models_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  models_->setToolTip(tr("Several checkpoints are an ensemble: their probabilities are averaged with the "
                         "weights, normalized to sum 1 (vwb predict --checkpoint A B --weights …)"));
  // Room for three models; more scroll.
  models_->setMaximumHeight(models_->horizontalHeader()->sizeHint().height() + 3 * models_->verticalHeader()->defaultSectionSize() + 4);
  v->addWidget(models_);
  choice_ = new QComboBox;
  choice_->setObjectName("modelChoice");
  auto* add = new QPushButton(tr("Add"));
  add->setObjectName("addModel");
  remove_ = new QPushButton(tr("Remove"));
  remove_->setObjectName("removeModel");
  auto* row = new QHBoxLayout;
  row->addWidget(choice_, 1);
  row->addWidget(add);
  row->addWidget(remove_);
  v->addLayout(row);
  connect(add, &QPushButton::clicked, this, &EnsembleChooser::addChosen);
  connect(remove_, &QPushButton::clicked, this, &EnsembleChooser::removeChosen);
}

void EnsembleChooser::showRun(const QString& run) {
  runDir_ = run;
  bool keep = run == lastRun_ && models_->rowCount() > 0;
  for (const Member& m : members()) keep = keep && QFileInfo::exists(m.checkpoint);
  if (!keep) {
    models_->setRowCount(0);
    for (const char* name : {RunFolder::kBestCheckpoint, RunFolder::kLastCheckpoint}) {
      const QString candidate = QString::fromStdString(RunFolder(run.toStdString()).checkpoint(name));
      if (!run.isEmpty() && QFileInfo::exists(candidate)) {
        setCheckpoint(candidate);
        break;
      }
    }
    remove_->setEnabled(false);
  }
  lastRun_ = run;
  fillChoice();
}

void EnsembleChooser::setCheckpoint(const QString& path) {
  models_->setRowCount(0);
  addCheckpoint(path);
}

void EnsembleChooser::addCheckpoint(const QString& path, double weight) {
  const int row = models_->rowCount();
  models_->insertRow(row);
  // A checkpoint of the inspected run by its file name, another run's with its run folder.
  const QFileInfo info(path);
  const QString runCheckpoints = QString::fromStdString(RunFolder(runDir_.toStdString()).checkpoints());
  const QString shown = !runDir_.isEmpty() && QFileInfo(info.absolutePath()) == QFileInfo(runCheckpoints)
                            ? info.fileName()
                            : QFileInfo(info.absolutePath()).dir().dirName() + "/" + info.fileName();
  auto* item = new QTableWidgetItem(shown);
  item->setData(Qt::UserRole, path);
  item->setToolTip(path);
  models_->setItem(row, 0, item);
  auto* spin = new QDoubleSpinBox;
  spin->setRange(0.01, 100);
  spin->setDecimals(2);
  spin->setSingleStep(0.1);
  spin->setValue(weight);
  spin->setToolTip(tr("Weight of %1 in the ensemble (normalized over the models)").arg(info.fileName()));
  models_->setCellWidget(row, 1, spin);
  remove_->setEnabled(models_->rowCount() > 1);
  fillChoice();
}

std::vector<EnsembleChooser::Member> EnsembleChooser::members() const {
  std::vector<Member> out;
  for (int r = 0; r < models_->rowCount(); ++r)
    out.push_back({models_->item(r, 0)->data(Qt::UserRole).toString(),
                   static_cast<QDoubleSpinBox*>(models_->cellWidget(r, 1))->value()});
  return out;
}

std::vector<std::string> EnsembleChooser::checkpoints() const {
  std::vector<std::string> out;
  for (const Member& m : members()) out.push_back(m.checkpoint.toStdString());
  return out;
}

void EnsembleChooser::fillChoice() {
  choice_->clear();
  for (const char* name : {RunFolder::kBestCheckpoint, RunFolder::kLastCheckpoint, RunFolder::kEmaCheckpoint}) {
    const QString path = QString::fromStdString(RunFolder(runDir_.toStdString()).checkpoint(name));
    if (!runDir_.isEmpty() && QFileInfo::exists(path)) choice_->addItem(tr("This run: %1").arg(name), path);
  }
  choice_->addItem(tr("Other checkpoint…"), QString());
  // Offer first what the ensemble lacks.
  for (int i = 0; i < choice_->count(); ++i) {
    const QString path = choice_->itemData(i).toString();
    bool listed = false;
    for (const Member& m : members()) listed = listed || (!path.isEmpty() && QFileInfo(m.checkpoint) == QFileInfo(path));
    if (!listed) {
      choice_->setCurrentIndex(i);
      break;
    }
  }
  Q_EMIT changed();  // other models, other tiles and rate
}

void EnsembleChooser::addChosen() {
  QString path = choice_->currentData().toString();
  if (path.isEmpty()) path = QFileDialog::getOpenFileName(this, tr("Checkpoint"), runDir_, tr("Checkpoints (*.pt)"));
  if (path.isEmpty()) return;
  for (const Member& m : members())
    if (QFileInfo(m.checkpoint) == QFileInfo(path)) {
      Q_EMIT message(tr("%1 is in the ensemble already.").arg(path));
      return;
    }
  addCheckpoint(path);
}

void EnsembleChooser::removeChosen() {
  if (models_->rowCount() <= 1) return;  // one model stays: the plain prediction
  const int row = models_->currentRow() >= 0 ? models_->currentRow() : models_->rowCount() - 1;
  models_->removeRow(row);
  remove_->setEnabled(models_->rowCount() > 1);
  fillChoice();
}

}  // namespace vwb::inspect
