#include "ui/inspect/PredictionsPage.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"
#include "engine/run/RunFolder.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/LongPredictionDialog.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/RunLocator.h"

namespace vwb::inspect {
namespace {

const char* kHeaders[] = {"Volume", "Role", "Shape", "SurfaceDice", "VOI_score", "TopoScore", "Score",
                          "Fg %", "Components"};

QStandardItem* textItem(const QString& text) {
  auto* item = new QStandardItem(text);
  item->setData(text, Qt::UserRole);
  item->setEditable(false);
  return item;
}

// Shown formatted, sorted by value; absent values ("—") sort first.
QStandardItem* numberItem(double value, bool present, int decimals = 4) {
  auto* item = new QStandardItem(present ? QString::number(value, 'f', decimals) : QString("—"));
  item->setData(present ? value : -1.0, Qt::UserRole);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  item->setEditable(false);
  return item;
}

// Why a term is low: the official intermediate numbers, as a tooltip on the VOI and Topo cells.
QString voiDetails(const VolumeScore& s) {
  return QObject::tr("VOI %1 bits = split %2 (a GT sheet cut by the prediction) + merge %3 (GT sheets joined)")
      .arg(s.voi, 0, 'f', 4).arg(s.voiSplit, 0, 'f', 4).arg(s.voiMerge, 0, 'f', 4);
}

QString topoDetails(const VolumeScore& s) {
  QStringList lines{QObject::tr("Betti matching, summed over the 8 octants (matched / predicted / GT):")};
  const char* names[3] = {"components", "tunnels", "cavities"};
  for (int k = 0; k < 3; ++k)
    lines << QObject::tr("%1: %2 / %3 / %4%5").arg(names[k]).arg(s.matched[k]).arg(s.predPairs[k]).arg(s.gtPairs[k])
                 .arg(s.topoUsed[k] ? QObject::tr(", F1 %1").arg(s.topoF1[k], 0, 'f', 4) : QObject::tr(" (not used)"));
  return lines.join('\n');
}

}  // namespace

PredictionsPage::PredictionsPage(ui::WorkbenchContext& context, QWidget* parent)
    : QWidget(parent), context_(context) {
  model_ = new QStandardItemModel(0, ColumnCount, this);
  for (int c = 0; c < ColumnCount; ++c) model_->setHeaderData(c, Qt::Horizontal, kHeaders[c]);
  model_->setSortRole(Qt::UserRole);
  table_ = new QTableView;
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setAlternatingRowColors(true);
  model_->setHeaderData(Foreground, Qt::Horizontal, tr("Predicted foreground fraction"), Qt::ToolTipRole);
  model_->setHeaderData(Components, Qt::Horizontal, tr("26-connected components of the mask"), Qt::ToolTipRole);
  // Best first; the test volumes (no score) at the end.
  table_->sortByColumn(Score, Qt::DescendingOrder);
  table_->setToolTip(tr("Double-click a volume to open it with its prediction and ground truth in the viewer"));
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) { openRow(index.row()); });

  summary_ = new QLabel;
  summary_->setTextFormat(Qt::RichText);
  summary_->setWordWrap(true);
  auto* right = new QVBoxLayout;
  right->addWidget(summary_);
  right->addWidget(table_, 1);
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(buildControls());
  layout->addLayout(right, 1);

  rescoreTimer_.setSingleShot(true);
  rescoreTimer_.setInterval(300);
  connect(&rescoreTimer_, &QTimer::timeout, this, &PredictionsPage::rescore);
  connect(&context_, &ui::WorkbenchContext::datasetChanged, this, &PredictionsPage::reload);
  connect(&context_, &ui::WorkbenchContext::runDirChanged, this, &PredictionsPage::reload);
  reload();
}

PredictionsPage::~PredictionsPage() {
  // Joins every worker (the current task and retired ones) before the members they use go.
  if (task_) task_->cancel();
  task_.reset();
  ui::BackgroundTask::shutdownAll(this);
}

QWidget* PredictionsPage::buildControls() {
  auto* panel = new QWidget;
  panel->setMaximumWidth(320);
  auto* layout = new QVBoxLayout(panel);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* predict = new QGroupBox(tr("Prediction (runs the network)"));
  auto* pf = new QFormLayout(predict);
  pf->addRow(buildModels());
  overlap_ = new QDoubleSpinBox;
  overlap_->setObjectName("overlap");
  overlap_->setRange(0.0, 0.9);
  overlap_->setSingleStep(0.125);
  overlap_->setValue(0.5);
  pf->addRow(tr("Overlap"), overlap_);
  tta_ = new QComboBox;
  tta_->setObjectName("tta");
  tta_->addItems({tr("None"), tr("Flips"), tr("Flips + rotations")});
  pf->addRow(tr("TTA"), tta_);
  batch_ = new QSpinBox;
  batch_->setRange(1, 64);
  batch_->setValue(2);
  pf->addRow(tr("Tiles per batch"), batch_);
  // What to predict: the volumes whose scores estimate the test score, and the test volumes;
  // the training volumes (seen in training) only on request.
  predictValidation_ = new QCheckBox;
  predictValidation_->setObjectName("predictValidation");
  predictValidation_->setChecked(true);
  predictTest_ = new QCheckBox;
  predictTest_->setObjectName("predictTest");
  predictTest_->setChecked(true);
  predictTraining_ = new QCheckBox;
  predictTraining_->setObjectName("predictTraining");
  predictTraining_->setToolTip(tr("The volumes the run trained on: their scores flatter the model"));
  auto* which = new QVBoxLayout;
  which->setSpacing(0);
  for (QCheckBox* c : {predictValidation_, predictTest_, predictTraining_}) {
    which->addWidget(c);
    connect(c, &QCheckBox::toggled, this, &PredictionsPage::updateEstimate);
  }
  pf->addRow(tr("Predict"), which);
  connect(overlap_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &PredictionsPage::updateEstimate);
  connect(tta_, qOverload<int>(&QComboBox::currentIndexChanged), this, &PredictionsPage::updateEstimate);
  predictButton_ = new QPushButton(tr("Predict"));
  predictButton_->setObjectName("predict");
  pf->addRow(predictButton_);
  estimate_ = new QLabel;
  estimate_->setObjectName("estimate");
  estimate_->setTextFormat(Qt::RichText);
  estimate_->setWordWrap(true);
  estimate_->setMinimumHeight(3 * estimate_->fontMetrics().lineSpacing() + 4);  // its lines, wrapped, whatever the layout
  pf->addRow(estimate_);
  connect(predictButton_, &QPushButton::clicked, this, &PredictionsPage::startPrediction);
  layout->addWidget(predict);

  // The controls in the pipeline's order (engine/infer/PostProcess.h).
  auto* post = new QGroupBox(tr("Post-processing (re-scores, no network)"));
  auto* qf = new QFormLayout(post);
  threshold_ = new QDoubleSpinBox;
  threshold_->setObjectName("threshold");
  threshold_->setRange(0.01, 0.99);
  threshold_->setSingleStep(0.05);
  threshold_->setDecimals(2);
  threshold_->setValue(0.5);
  qf->addRow(tr("Threshold"), threshold_);
  plugHoles_ = new QCheckBox(tr("Plug 1-voxel holes"));
  plugHoles_->setObjectName("plugHoles");
  qf->addRow(plugHoles_);
  closing_ = new QSpinBox;
  closing_->setObjectName("closing");
  closing_->setRange(0, 5);
  qf->addRow(tr("Closing radius"), closing_);
  sheetClosing_ = new QSpinBox;
  sheetClosing_->setObjectName("sheetClosing");
  sheetClosing_->setRange(0, 5);
  sheetClosing_->setToolTip(tr("Each sheet closed on its own along its best projection axis: fills holes in its "
                               "footprint without thickening it or fusing it to a neighbour"));
  qf->addRow(tr("Per-sheet closing"), sheetClosing_);
  fillHoles_ = new QCheckBox(tr("Fill holes"));
  fillHoles_->setObjectName("fillHoles");
  qf->addRow(fillHoles_);
  border_ = new QSpinBox;
  border_->setObjectName("border");
  border_->setRange(0, 64);
  qf->addRow(tr("Zero border (voxels)"), border_);
  minComponent_ = new QSpinBox;
  minComponent_->setObjectName("minComponent");
  minComponent_->setRange(0, 10000000);
  minComponent_->setSingleStep(100);
  qf->addRow(tr("Min component (voxels)"), minComponent_);
  connect(threshold_, qOverload<double>(&QDoubleSpinBox::valueChanged), &rescoreTimer_, qOverload<>(&QTimer::start));
  for (QSpinBox* s : {border_, minComponent_, closing_, sheetClosing_})
    connect(s, qOverload<int>(&QSpinBox::valueChanged), &rescoreTimer_, qOverload<>(&QTimer::start));
  for (QCheckBox* c : {plugHoles_, fillHoles_}) connect(c, &QCheckBox::toggled, &rescoreTimer_, qOverload<>(&QTimer::start));
  layout->addWidget(post);

  auto* tune = new QGroupBox(tr("Tuning (validation volumes, no network)"));
  auto* tl = new QVBoxLayout(tune);
  tuneButton_ = new QPushButton(tr("Tune"));
  tuneButton_->setObjectName("tune");
  tuneButton_->setToolTip(tr("vwb tune: searches threshold and post-processing on the validation volumes' "
                             "probabilities for the best mean official score"));
  applyButton_ = new QPushButton(tr("Apply"));
  applyButton_->setObjectName("applyTuned");
  applyButton_->setEnabled(false);
  applyButton_->setToolTip(tr("Make the tuned setting the run's post-processing (the masks, the viewer and the export follow)"));
  auto* tb = new QHBoxLayout;
  tb->addWidget(tuneButton_);
  tb->addWidget(applyButton_);
  tl->addLayout(tb);
  tuneResult_ = new QLabel;
  tuneResult_->setObjectName("tuneResult");
  tuneResult_->setTextFormat(Qt::RichText);
  tuneResult_->setWordWrap(true);
  tl->addWidget(tuneResult_);
  connect(tuneButton_, &QPushButton::clicked, this, &PredictionsPage::startTuning);
  connect(applyButton_, &QPushButton::clicked, this, &PredictionsPage::applyTuning);
  layout->addWidget(tune);

  // One progress bar and Cancel for every task of the page (prediction, tuning, scoring).
  progress_ = new QProgressBar;
  progress_->setObjectName("progress");
  progress_->setVisible(false);
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setObjectName("cancel");
  cancelButton_->setEnabled(false);
  connect(cancelButton_, &QPushButton::clicked, this, &PredictionsPage::cancel);
  auto* bar = new QHBoxLayout;
  bar->addWidget(progress_, 1);
  bar->addWidget(cancelButton_);
  stage_ = new QLabel;
  stage_->setObjectName("stage");
  stage_->setWordWrap(true);
  layout->addLayout(bar);
  layout->addWidget(stage_);
  layout->addStretch(1);
  return panel;
}

// The models of the prediction: a table of checkpoints with their weights, and a chooser of
// the run's checkpoints (best.pt, last.pt, ema.pt) or any other file (another run's).
QWidget* PredictionsPage::buildModels() {
  auto* box = new QWidget;
  auto* v = new QVBoxLayout(box);
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
  modelChoice_ = new QComboBox;
  modelChoice_->setObjectName("modelChoice");
  auto* add = new QPushButton(tr("Add"));
  add->setObjectName("addModel");
  removeModel_ = new QPushButton(tr("Remove"));
  removeModel_->setObjectName("removeModel");
  auto* row = new QHBoxLayout;
  row->addWidget(modelChoice_, 1);
  row->addWidget(add);
  row->addWidget(removeModel_);
  v->addLayout(row);
  connect(add, &QPushButton::clicked, this, &PredictionsPage::addChosenModel);
  connect(removeModel_, &QPushButton::clicked, this, &PredictionsPage::removeChosenModel);
  return box;
}

QString PredictionsPage::runDir() const { return inspectedRunDir(context_); }

void PredictionsPage::setCheckpoint(const QString& path) {
  models_->setRowCount(0);
  addCheckpoint(path);
}

void PredictionsPage::addCheckpoint(const QString& path, double weight) {
  const int row = models_->rowCount();
  models_->insertRow(row);
  // A checkpoint of the inspected run by its file name, another run's with its run folder.
  const QFileInfo info(path);
  const QString runCheckpoints = QString::fromStdString(RunFolder(runDir().toStdString()).checkpoints());
  const QString shown = !runDir().isEmpty() && QFileInfo(info.absolutePath()) == QFileInfo(runCheckpoints)
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
  removeModel_->setEnabled(models_->rowCount() > 1);
  fillModelChoice();
}

std::vector<PredictionsPage::EnsembleMember> PredictionsPage::ensemble() const {
  std::vector<EnsembleMember> out;
  for (int r = 0; r < models_->rowCount(); ++r)
    out.push_back({models_->item(r, 0)->data(Qt::UserRole).toString(),
                   static_cast<QDoubleSpinBox*>(models_->cellWidget(r, 1))->value()});
  return out;
}

void PredictionsPage::fillModelChoice() {
  modelChoice_->clear();
  const QString run = runDir();
  for (const char* name : {RunFolder::kBestCheckpoint, RunFolder::kLastCheckpoint, RunFolder::kEmaCheckpoint}) {
    const QString path = QString::fromStdString(RunFolder(run.toStdString()).checkpoint(name));
    if (!run.isEmpty() && QFileInfo::exists(path)) modelChoice_->addItem(tr("This run: %1").arg(name), path);
  }
  modelChoice_->addItem(tr("Other checkpoint…"), QString());
  // Offer first what the ensemble lacks.
  for (int i = 0; i < modelChoice_->count(); ++i) {
    const QString path = modelChoice_->itemData(i).toString();
    bool listed = false;
    for (const EnsembleMember& m : ensemble()) listed = listed || (!path.isEmpty() && QFileInfo(m.checkpoint) == QFileInfo(path));
    if (!listed) {
      modelChoice_->setCurrentIndex(i);
      break;
    }
  }
  updateEstimate();  // other models, other tiles and rate
}

void PredictionsPage::addChosenModel() {
  QString path = modelChoice_->currentData().toString();
  if (path.isEmpty())
    path = QFileDialog::getOpenFileName(this, tr("Checkpoint"), runDir(), tr("Checkpoints (*.pt)"));
  if (path.isEmpty()) return;
  for (const EnsembleMember& m : ensemble())
    if (QFileInfo(m.checkpoint) == QFileInfo(path)) {
      stage_->setText(tr("%1 is in the ensemble already.").arg(path));
      return;
    }
  addCheckpoint(path);
}

void PredictionsPage::removeChosenModel() {
  if (models_->rowCount() <= 1) return;  // one model stays: the plain prediction
  const int row = models_->currentRow() >= 0 ? models_->currentRow() : models_->rowCount() - 1;
  models_->removeRow(row);
  removeModel_->setEnabled(models_->rowCount() > 1);
  fillModelChoice();
}

PostProcessOptions PredictionsPage::postProcessOptions() const {
  PostProcessOptions o;
  o.threshold = threshold_->value();
  o.borderVoxels = border_->value();
  o.minComponentVoxels = minComponent_->value();
  o.closingRadius = closing_->value();
  o.fillHoles = fillHoles_->isChecked();
  o.plugHoles = plugHoles_->isChecked();
  o.sheetClosingRadius = sheetClosing_->value();
  return o;
}

void PredictionsPage::setPostProcessOptions(const PostProcessOptions& o) {
  const QSignalBlocker b1(threshold_), b2(border_), b3(minComponent_), b4(closing_), b5(fillHoles_), b6(plugHoles_),
      b7(sheetClosing_);
  threshold_->setValue(o.threshold);
  border_->setValue(o.borderVoxels);
  minComponent_->setValue(int(std::min<int64_t>(o.minComponentVoxels, minComponent_->maximum())));
  closing_->setValue(o.closingRadius);
  fillHoles_->setChecked(o.fillHoles);
  plugHoles_->setChecked(o.plugHoles);
  sheetClosing_->setValue(o.sheetClosingRadius);
}

PredictOptions PredictionsPage::predictOptions() const {
  PredictOptions o;
  o.overlap = overlap_->value();
  o.tta = static_cast<Tta>(tta_->currentIndex());
  o.batch = batch_->value();
  return o;
}

QString PredictionsPage::summaryText() const { return summary_->text(); }

bool PredictionsPage::busy() const { return task_ && task_->running(); }

void PredictionsPage::reload() {
  if (busy()) {
    task_->cancel();
    task_->waitForEnd();
  }
  task_.reset();
  rescoreTimer_.stop();
  rescoreQueued_ = false;
  std::vector<InspectVolume> volumes;
  if (context_.hasDataset()) {
    for (const auto& e : context_.dataset().train)
      if (!e.labelPath.empty()) volumes.push_back({e.id, e.imagePath, e.labelPath, e.shape});
    for (const auto& e : context_.dataset().test) volumes.push_back({e.id, e.imagePath, {}, e.shape});
  }
  session_.setVolumes(std::move(volumes));
  const QString run = runDir();
  // Another run: its own checkpoint, not the previous run's ensemble; the same run keeps the
  // models chosen unless one of them is gone.
  bool keep = run == lastRun_ && models_->rowCount() > 0;
  for (const EnsembleMember& m : ensemble()) keep = keep && QFileInfo::exists(m.checkpoint);
  if (!keep) {
    models_->setRowCount(0);
    for (const char* name : {RunFolder::kBestCheckpoint, RunFolder::kLastCheckpoint}) {
      const QString candidate = QString::fromStdString(RunFolder(run.toStdString()).checkpoint(name));
      if (!run.isEmpty() && QFileInfo::exists(candidate)) {
        setCheckpoint(candidate);
        break;
      }
    }
    removeModel_->setEnabled(false);
  }
  fillModelChoice();
  // The run's one post-processing setting: the controls show it (a run without a record starts
  // from the defaults: the threshold 0.5 alone).
  if (!run.isEmpty()) {
    const auto record = readPostProcessRecord(postProcessRecordPath(QString::fromStdString(maskDir(run.toStdString()))));
    setPostProcessOptions(record.value_or(PostProcessOptions{}));
  }
  if (run != lastRun_) {
    tuning_.reset();
    tuningApplied_ = false;
  }
  lastRun_ = run;
  showTuning();
  split_ = readRunSplit(run, context_.engine(), context_.hasDataset() ? &context_.dataset() : nullptr);
  rows_.clear();
  for (const auto& v : session_.volumes()) {
    InspectRow row;
    row.id = v.id;
    row.labeled = v.labeled();
    rows_.push_back(row);
  }
  rowsPost_ = postProcessOptions();
  showRows();
  updateEstimate();
  // Probabilities saved by an earlier prediction of this run: score them right away.
  const std::string probDir = run.isEmpty() ? "" : probabilityDir(run.toStdString());
  if (!probDir.empty() && QDir(QString::fromStdString(probDir)).exists()) {
    const PostProcessOptions post = postProcessOptions();
    const std::string masks = maskDir(run.toStdString());
    runTask(TaskKind::Load, tr("Loading predictions"), [this, probDir, post, masks](ProgressSink& p, const CancelToken& c) {
      session_.loadProbabilities(probDir, &p, &c);
      pendingRows_ = session_.evaluate(post, masks, &p, &c);
      pendingPost_ = post;
    }, [this] { rows_ = pendingRows_; rowsPost_ = pendingPost_; showRows(); });
  }
}

std::vector<std::string> PredictionsPage::idsToPredict() const {
  std::vector<std::string> ids;
  for (const auto& v : session_.volumes()) {
    const VolumeRole role = split_.role(v.id, v.labeled());
    const bool wanted = role == VolumeRole::Test       ? predictTest_->isChecked()
                        : role == VolumeRole::Train    ? predictTraining_->isChecked()
                                                       : predictValidation_->isChecked();  // or split unknown
    if (wanted) ids.push_back(v.id);
  }
  return ids;
}

std::vector<Shape3> PredictionsPage::shapesOf(const std::vector<std::string>& ids) const {
  std::vector<Shape3> shapes;
  for (const auto& v : session_.volumes())
    if (std::find(ids.begin(), ids.end(), v.id) != ids.end()) shapes.push_back(v.shape);
  return shapes;
}

QString PredictionsPage::estimateText() const { return estimate_->text(); }

// The choice's counts and what it would cost: tiles from the checkpoints' patches, time from the
// tile rate measured here (this session's last prediction with the same models).
void PredictionsPage::updateEstimate() {
  if (!estimate_ || !predictValidation_) return;
  int validation = 0, test = 0, training = 0, unknown = 0;
  for (const auto& v : session_.volumes()) {
    const VolumeRole role = split_.role(v.id, v.labeled());
    ++(role == VolumeRole::Test ? test : role == VolumeRole::Train ? training : role == VolumeRole::Validation ? validation : unknown);
  }
  predictValidation_->setText(unknown > 0 ? tr("Labelled volumes, split unknown (%1)").arg(unknown + validation)
                                          : tr("Validation volumes (%1)").arg(validation));
  predictTest_->setText(tr("Test volumes (%1)").arg(test));
  predictTraining_->setText(tr("Training volumes (%1)").arg(training));
  predictTraining_->setVisible(training > 0);
  if (busy() && taskKind_ == TaskKind::Predict) return;  // the running prediction reports its own
  const std::vector<std::string> ids = idsToPredict();
  std::vector<std::string> checkpoints;
  for (const EnsembleMember& m : ensemble()) checkpoints.push_back(m.checkpoint.toStdString());
  if (ids.empty()) {
    estimate_->setText(tr("Nothing chosen to predict."));
    return;
  }
  if (checkpoints.empty()) {
    estimate_->setText(tr("%n volume(s) chosen; choose a checkpoint.", "", int(ids.size())));
    return;
  }
  PredictionPlan plan;
  try {
    plan = planPrediction(context_.engine(), checkpoints, predictOptions(), shapesOf(ids));
  } catch (const std::exception& e) {
    estimate_->setText(QString::fromStdString(e.what()));
    return;
  }
  QString text = tr("%n volume(s)", "", plan.volumes);
  if (plan.tiles > 0) text += tr(", %1 tiles").arg(QLocale().toString(qlonglong(plan.tiles)));
  const double rate = TileRates::rate(checkpoints);
  if (plan.tiles > 0 && rate > 0)
    text += tr("<br>about <b>%1</b> at %2 tiles/s (measured here)").arg(ui::formatDuration(plan.tiles / rate)).arg(rate, 0, 'g', 3);
  else if (plan.tiles > 0)
    text += tr("<br>the time is measured on the first tiles");
  estimate_->setText(text);
}

void PredictionsPage::startPrediction() {
  if (busy()) return;
  const std::vector<EnsembleMember> members = ensemble();
  if (session_.volumes().empty()) {
    Q_EMIT taskFailed(tr("Open a dataset first: there are no volumes to predict."));
    stage_->setText(tr("No volumes: open a dataset first."));
    return;
  }
  QString problem = members.empty() ? tr("Choose a checkpoint first.") : QString();
  std::vector<std::string> checkpoints;
  for (const EnsembleMember& m : members) {
    if (problem.isEmpty() && !QFileInfo::exists(m.checkpoint)) problem = tr("%1: no such checkpoint").arg(m.checkpoint);
    checkpoints.push_back(m.checkpoint.toStdString());
  }
  if (problem.isEmpty() && idsToPredict().empty()) problem = tr("Choose what to predict: validation, test or training volumes.");
  if (!problem.isEmpty()) {
    stage_->setText(problem);
    Q_EMIT taskFailed(problem);
    return;
  }
  // A rate measured here: warn before starting what would take long.
  const double rate = TileRates::rate(checkpoints);
  if (rate > 0) {
    PredictionPlan plan;
    try {
      plan = planPrediction(context_.engine(), checkpoints, predictOptions(), shapesOf(idsToPredict()));
    } catch (const std::exception&) {
      // the prediction itself reports the bad checkpoint
    }
    if (plan.tiles > 0 && plan.tiles / rate > longPredictionSeconds_) {
      askAboutLongPrediction(plan.tiles / rate, plan.tiles, rate, false);
      return;
    }
  }
  startPredictionNow();
}

// The warning before (or, without a measured rate, in the first seconds of) a long prediction,
// with the cheaper setting and its time. Not modal: the page keeps painting (and predicting).
void PredictionsPage::askAboutLongPrediction(double seconds, int64_t tiles, double rate, bool running) {
  if (findChild<QMessageBox*>("longPrediction")) return;
  LongPredictionDialog::Facts f;
  f.volumes = tr("%n volume(s)", "", int(idsToPredict().size()));
  f.options = predictOptions();
  f.cheaper = cheaperPredictOptions(f.options);
  f.seconds = seconds;
  f.tiles = tiles;
  f.tilesPerSecond = rate;
  f.running = running;
  std::vector<std::string> checkpoints;
  for (const EnsembleMember& m : ensemble()) checkpoints.push_back(m.checkpoint.toStdString());
  try {
    f.cheaperTiles = planPrediction(context_.engine(), checkpoints, f.cheaper, shapesOf(idsToPredict())).tiles;
  } catch (const std::exception&) {
    // no cheaper setting offered
  }
  auto* box = new LongPredictionDialog(f, this);
  const PredictOptions cheaper = f.cheaper;
  connect(box, &LongPredictionDialog::chosen, this, [this, cheaper, running](LongPredictionDialog::Choice choice) {
    using Choice = LongPredictionDialog::Choice;
    if (running) {  // Go on: nothing to do; else stop it (and restart with the cheaper setting)
      if (choice == Choice::Go) return;
      restartCheaper_ = choice == Choice::Cheaper;
      if (busy() && taskKind_ == TaskKind::Predict) task_->cancel();
      return;
    }
    if (choice == Choice::Stop) return;
    if (choice == Choice::Cheaper) {
      overlap_->setValue(cheaper.overlap);
      tta_->setCurrentIndex(static_cast<int>(cheaper.tta));
    }
    startPredictionNow();
  });
  box->open();
}

void PredictionsPage::showReading(const MeteredPredictor::Reading& r, bool rateKnownBefore) {
  if (!(busy() && taskKind_ == TaskKind::Predict)) return;
  QString text = tr("%1 / %2 tiles").arg(QLocale().toString(qlonglong(r.tilesDone)), QLocale().toString(qlonglong(r.tilesTotal)));
  if (r.tilesPerSecond > 0)
    text += tr("<br>%1 tiles/s: about <b>%2</b> left").arg(r.tilesPerSecond, 0, 'f', 2).arg(ui::formatDuration(r.secondsLeft));
  else
    text += tr("<br>measuring the tile rate…");
  estimate_->setText(text);
  if (r.firstMeasurement && !rateKnownBefore && r.secondsLeft > longPredictionSeconds_)
    askAboutLongPrediction(r.secondsLeft, r.tilesTotal, r.tilesPerSecond, true);
}

void PredictionsPage::startPredictionNow() {
  if (busy()) return;
  const std::vector<EnsembleMember> members = ensemble();
  std::vector<std::string> checkpoints;
  std::vector<double> weights;
  for (const EnsembleMember& m : members) {
    checkpoints.push_back(m.checkpoint.toStdString());
    weights.push_back(m.weight);
  }
  const std::vector<std::string> ids = idsToPredict();
  const PredictOptions options = predictOptions();
  const PostProcessOptions post = postProcessOptions();
  const std::string run = runDir().toStdString();
  const std::string probDir = run.empty() ? "" : probabilityDir(run);
  const std::string masks = run.empty() ? "" : maskDir(run);
  const ui::EnginePtr engine = context_.enginePtr();
  PredictionPlan plan;
  try {
    plan = planPrediction(*engine, checkpoints, options, shapesOf(ids));
  } catch (const std::exception&) {
    // loadPredictor below names the bad checkpoint
  }
  const bool rateKnown = TileRates::rate(checkpoints) > 0;
  const QString title = members.size() > 1 ? tr("Predicting (ensemble of %1)").arg(members.size()) : tr("Predicting");
  estimate_->setText(tr("%n volume(s): loading…", "", int(ids.size())));
  runTask(TaskKind::Predict, title, [=](ProgressSink& p, const CancelToken& c) {
    p.progress(checkpoints.size() > 1 ? "loading " + std::to_string(checkpoints.size()) + " checkpoints" : "loading the checkpoint", 0, 0);
    auto tilesOf = [engine, checkpoints, options](const Shape3& s) -> int64_t {
      try {
        return engine->predictionTiles(checkpoints, options, s);
      } catch (const std::exception&) {
        return 0;
      }
    };
    MeteredPredictor metered(engine->loadPredictor(checkpoints, weights, options), tilesOf, plan.tiles,
                             [this, checkpoints, rateKnown](const MeteredPredictor::Reading& r) {
                               if (r.firstMeasurement) TileRates::record(checkpoints, r.tilesPerSecond);
                               QMetaObject::invokeMethod(this, [this, r, rateKnown] { showReading(r, rateKnown); },
                                                         Qt::QueuedConnection);
                             });
    session_.predict(*engine, metered, probDir, &p, &c, &ids);
    TileRates::record(checkpoints, metered.measuredRate() > 0 ? metered.measuredRate() : metered.overallRate());
    pendingRows_ = session_.evaluate(post, masks, &p, &c);
    pendingPost_ = post;
  }, [this] {
    rows_ = pendingRows_;
    rowsPost_ = pendingPost_;
    tuning_.reset();  // tuned on the probabilities the prediction replaced
    showTuning();
    showRows();
  });
}

// Validation volumes with probabilities: the run's held-out ones; every labelled one when the
// run records no split (said in *why); none when the split holds none out.
std::vector<std::string> PredictionsPage::tuneIds(QString* why) const {
  std::vector<std::string> ids;
  for (const InspectRow& r : rows_)
    if (r.labeled && r.predicted && (!split_.known() || split_.role(r.id, true) == VolumeRole::Validation)) ids.push_back(r.id);
  if (split_.known())
    *why = ids.empty() ? tr("This run holds no labelled volume out (every one was trained on): there is nothing to tune on "
                            "that would not flatter the model.")
                       : tr("%1 validation volume(s)").arg(ids.size());
  else
    *why = ids.empty() ? tr("No labelled volume has probabilities yet: predict first.")
                       : tr("%1 labelled volume(s); the run records no split, so some may have been trained on").arg(ids.size());
  return ids;
}

void PredictionsPage::startTuning() {
  if (busy()) return;
  QString why;
  const std::vector<std::string> ids = tuneIds(&why);
  tuning_.reset();
  tuningApplied_ = false;
  if (ids.empty()) {
    tuningNote_.clear();
    showTuning();
    tuneResult_->setText(why);
    stage_->setText(why);
    Q_EMIT taskFailed(why);
    return;
  }
  tuningNote_ = why;
  showTuning();
  tuneResult_->setText(tr("Tuning on %1…").arg(why));
  const PostProcessOptions current = postProcessOptions();
  const ui::EnginePtr engine = context_.enginePtr();
  runTask(TaskKind::Tune, tr("Tuning"), [=](ProgressSink& p, const CancelToken& c) {
    pendingTuning_ = engine->tunePostProcessing(session_.tuneVolumes(ids), current, &p, &c);
  }, [this] {
    tuning_ = pendingTuning_;
    showTuning();
    Q_EMIT tuningFinished();
  });
}

void PredictionsPage::applyTuning() {
  if (!tuning_ || busy()) return;
  setPostProcessOptions(tuning_->tuned);
  tuningApplied_ = true;
  showTuning();
  rescore();  // writes the masks and the run's record with the tuned setting
}

void PredictionsPage::showTuning() {
  const bool ready = tuning_ && !tuningApplied_ && !samePostProcess(tuning_->tuned, tuning_->current);
  applyButton_->setEnabled(ready && !busy());
  if (!tuning_) {
    tuneResult_->setText(tr("<span style='color:gray'>Searches threshold and post-processing for the best validation "
                            "mean (vwb tune).</span>"));
    return;
  }
  const ui::PostProcessTuning& t = *tuning_;
  const double gain = t.tunedScore - t.currentScore;
  QStringList lines;
  lines << tr("On %1, %2 settings scored:").arg(tuningNote_).arg(t.evaluations);
  lines << tr("<b>before %1</b> — %2").arg(t.currentScore, 0, 'f', 4).arg(describePostProcess(t.current).toHtmlEscaped());
  lines << tr("<b>after %1</b> (%2%3) — %4")
               .arg(t.tunedScore, 0, 'f', 4)
               .arg(gain >= 0 ? "+" : "")
               .arg(gain, 0, 'f', 4)
               .arg(describePostProcess(t.tuned).toHtmlEscaped());
  if (tuningApplied_) lines << tr("<b>Applied</b>: the run's post-processing is the tuned setting.");
  else if (samePostProcess(t.tuned, t.current)) lines << tr("The current setting is the best the search found.");
  else if (gain < 0) lines << tr("<span style='color:#8a5a00'>The search does not try every setting (the border is one "
                                 "it leaves alone): the current one scores higher.</span>");
  tuneResult_->setText(lines.join("<br>"));
}

void PredictionsPage::rescore() {
  if (busy()) {
    // The running task used the old settings: stop a scoring; a prediction, a tuning, the
    // loading of the saved probabilities and the opening of a volume run on, and the scoring
    // follows them.
    rescoreQueued_ = true;
    if (taskKind_ == TaskKind::Score) task_->cancel();
    return;
  }
  const PostProcessOptions post = postProcessOptions();
  const std::string run = runDir().toStdString();
  const std::string masks = run.empty() ? "" : maskDir(run);
  runTask(TaskKind::Score, tr("Scoring"), [this, post, masks](ProgressSink& p, const CancelToken& c) {
    pendingRows_ = session_.evaluate(post, masks, &p, &c);
    pendingPost_ = post;
  }, [this] { rows_ = pendingRows_; rowsPost_ = pendingPost_; showRows(); });
}

void PredictionsPage::cancel() {
  if (task_) task_->cancel();
}

void PredictionsPage::runTask(TaskKind kind, const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
                              std::function<void()> done) {
  // The previous task has ended (runTask starts only when idle); it may be the one whose
  // signal is being handled right now, so it goes later.
  ui::BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<ui::BackgroundTask>(title, std::move(work));
  taskKind_ = kind;
  ui::BackgroundTask* task = task_.get();
  connect(task, &ui::BackgroundTask::progressChanged, this, [this](const QString& stage, qint64 d, qint64 t) {
    progress_->setRange(0, t > 0 ? int(t) : 0);
    progress_->setValue(int(d));
    stage_->setText(stage);
  });
  auto finish = [this] {
    setBusy(false);
    if (rescoreQueued_) {
      rescoreQueued_ = false;
      rescore();
    }
  };
  connect(task, &ui::BackgroundTask::finished, this, [this, title, done, finish, kind] {
    done();
    stage_->setText(tr("%1: done").arg(title));
    if (kind == TaskKind::Predict) {
      if (auto* box = findChild<QMessageBox*>("longPrediction")) box->close();
      QTimer::singleShot(0, this, [this] { updateEstimate(); });
    }
    finish();
    if (kind != TaskKind::Tune && kind != TaskKind::Open) Q_EMIT rowsUpdated();
  });
  connect(task, &ui::BackgroundTask::failed, this, [this, title, finish, kind](const QString& message) {
    const bool cancelled = message == "cancelled";
    stage_->setText(!cancelled ? tr("%1 failed: %2").arg(title, message)
                    : kind == TaskKind::Predict ? tr("%1 cancelled: the run's predictions are as they were.").arg(title)
                                                : tr("%1 cancelled.").arg(title));
    if (kind == TaskKind::Predict) {
      if (auto* box = findChild<QMessageBox*>("longPrediction")) box->close();  // about the prediction that ended
      QTimer::singleShot(0, this, [this] { updateEstimate(); });
    }
    if (kind == TaskKind::Predict && cancelled && restartCheaper_) {
      restartCheaper_ = false;
      const PredictOptions cheaper = cheaperPredictOptions(predictOptions());
      overlap_->setValue(cheaper.overlap);
      tta_->setCurrentIndex(static_cast<int>(cheaper.tta));
      QTimer::singleShot(0, this, [this] { startPredictionNow(); });
    }
    if (kind == TaskKind::Tune)
      tuneResult_->setText(message == "cancelled" ? tr("Tuning cancelled: the run's post-processing is unchanged.")
                                                  : tr("Tuning failed: %1").arg(message.toHtmlEscaped()));
    finish();
    if (message != "cancelled") Q_EMIT taskFailed(message);
  });
  setBusy(true);
  task->start();
}

void PredictionsPage::setBusy(bool busy) {
  predictButton_->setEnabled(!busy);
  tuneButton_->setEnabled(!busy);
  cancelButton_->setEnabled(busy);
  progress_->setVisible(busy);
  const bool ready = tuning_ && !tuningApplied_ && !samePostProcess(tuning_->tuned, tuning_->current);
  applyButton_->setEnabled(ready && !busy);
}

void PredictionsPage::showRows() {
  const int sortColumn = table_->horizontalHeader()->sortIndicatorSection();
  const Qt::SortOrder order = table_->horizontalHeader()->sortIndicatorOrder();
  model_->removeRows(0, model_->rowCount());
  std::vector<VolumeScore> scored, validation, training;
  for (const InspectRow& r : rows_) {
    const bool s = r.labeled && r.predicted;
    const VolumeRole role = split_.role(r.id, r.labeled);
    if (s) (role == VolumeRole::Validation ? validation : role == VolumeRole::Train ? training : scored).push_back(r.score);
    QStandardItem* roleItem = textItem(roleName(role));
    if (role == VolumeRole::Train) roleItem->setToolTip(tr("Trained on: its score flatters the model"));
    QList<QStandardItem*> items{textItem(QString::fromStdString(r.id)), roleItem,
                                textItem(r.predicted ? ui::formatShape(r.shape) : tr("not predicted")),
                                numberItem(r.score.surfaceDice, s), numberItem(r.score.voiScore, s),
                                numberItem(r.score.topoScore, s), numberItem(r.score.score, s),
                                numberItem(r.foregroundFraction * 100, r.predicted, 2),
                                numberItem(double(r.components), r.predicted, 0)};
    if (s) {
      items[VoiScore]->setToolTip(voiDetails(r.score));
      items[TopoScore]->setToolTip(topoDetails(r.score));
      if (r.score.allIgnored) items[Score]->setToolTip(tr("The label is 2 (unlabeled) everywhere: left out of the mean."));
    }
    model_->appendRow(items);
  }
  if (sortColumn >= 0 && sortColumn < ColumnCount) model_->sort(sortColumn, order);
  // The headline is the validation mean: the only one that estimates the test score. Training
  // volumes are shown apart and marked; without a known split the mean says so.
  auto terms = [](const VolumeScore& m) {
    return tr("SurfaceDice %1, VOI_score %2, TopoScore %3").arg(m.surfaceDice, 0, 'f', 4).arg(m.voiScore, 0, 'f', 4).arg(m.topoScore, 0, 'f', 4);
  };
  // A volume labelled 2 (unlabeled) everywhere scores 1 whatever the prediction: it is left out
  // of the mean, and of the count the mean is over.
  auto over = [](const std::vector<VolumeScore>& v) {
    const auto ignored = std::count_if(v.begin(), v.end(), [](const VolumeScore& s) { return s.allIgnored; });
    const QString n = QString::number(static_cast<qlonglong>(v.size()) - ignored);
    return ignored ? tr("%1 (%2 left out: unlabeled everywhere)").arg(n).arg(ignored) : n;
  };
  QStringList lines;
  if (!validation.empty()) {
    const VolumeScore m = meanScore(validation);
    lines << tr("<b>Validation mean %1</b> over %2 held-out volume(s) — %3").arg(m.score, 0, 'f', 4).arg(over(validation)).arg(terms(m));
  } else if (!training.empty()) {
    lines << tr("<b>No validation volumes</b> in this run's split: every labelled volume was trained on.");
  }
  if (!training.empty()) {
    const VolumeScore m = meanScore(training);
    lines << tr("<span style='color:#8a5a00'>Training volumes (seen in training, not an estimate): mean %1 over %2 — %3</span>")
                 .arg(m.score, 0, 'f', 4).arg(over(training)).arg(terms(m));
  }
  if (!scored.empty()) {
    const VolumeScore m = meanScore(scored);
    lines << tr("<b>Mean score %1</b> over %2 labeled volume(s), split unknown (no run open, or it records none) — %3")
                 .arg(m.score, 0, 'f', 4).arg(over(scored)).arg(terms(m));
  }
  if (lines.isEmpty()) {
    summary_->setText(session_.volumes().empty()
                          ? tr("No dataset open.")
                          : tr("<b>No scores yet.</b> Predict with a checkpoint of this run to score its labeled volumes."));
  } else {
    summary_->setText(lines.join("<br>") + tr(" (%1)").arg(describePostProcess(rowsPost_).toHtmlEscaped()));
  }
}

void PredictionsPage::openRow(int row) {
  const QString id = model_->item(row, Id)->text();
  if (busy()) {
    stage_->setText(tr("Wait for the current task before opening %1.").arg(id));
    return;
  }
  const std::string sid = id.toStdString();
  std::string imagePath;
  for (const auto& v : session_.volumes())
    if (v.id == sid) imagePath = v.imagePath;
  auto result = std::make_shared<viewer::ViewerVolumes>();
  runTask(TaskKind::Open, tr("Opening %1").arg(id), [this, sid, imagePath, result, id](ProgressSink& p, const CancelToken&) {
    p.progress("reading " + sid, 0, 2);
    result->ct = std::make_shared<const VolumeU8>(readVolumeU8(imagePath));
    p.progress("reading the label of " + sid, 1, 2);
    result->groundTruth = session_.label(sid);
    result->prediction = session_.probability(sid);
    result->title = id;
  }, [this, result] { Q_EMIT viewRequested(*result, threshold_->value()); });
}

}  // namespace vwb::inspect
