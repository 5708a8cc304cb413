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
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
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
  panel->setMaximumWidth(290);
  auto* layout = new QVBoxLayout(panel);
  layout->setContentsMargins(0, 0, 0, 0);

  auto* predict = new QGroupBox(tr("Prediction (runs the network)"));
  auto* pf = new QFormLayout(predict);
  checkpoint_ = new QLineEdit;
  checkpoint_->setObjectName("checkpoint");
  checkpoint_->setPlaceholderText(tr("RUN/checkpoints/best.pt"));
  auto* browse = new QPushButton(tr("…"));
  browse->setMaximumWidth(30);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Checkpoint"), runDir(), tr("Checkpoints (*.pt)"));
    if (!f.isEmpty()) setCheckpoint(f);
  });
  auto* cpRow = new QHBoxLayout;
  cpRow->addWidget(checkpoint_, 1);
  cpRow->addWidget(browse);
  pf->addRow(tr("Checkpoint"), cpRow);
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
  predictButton_ = new QPushButton(tr("Predict"));
  predictButton_->setObjectName("predict");
  cancelButton_ = new QPushButton(tr("Cancel"));
  cancelButton_->setObjectName("cancel");
  cancelButton_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(predictButton_);
  buttons->addWidget(cancelButton_);
  pf->addRow(buttons);
  connect(predictButton_, &QPushButton::clicked, this, &PredictionsPage::startPrediction);
  connect(cancelButton_, &QPushButton::clicked, this, &PredictionsPage::cancel);
  layout->addWidget(predict);

  auto* post = new QGroupBox(tr("Post-processing (re-scores, no network)"));
  auto* qf = new QFormLayout(post);
  threshold_ = new QDoubleSpinBox;
  threshold_->setRange(0.01, 0.99);
  threshold_->setSingleStep(0.05);
  threshold_->setDecimals(2);
  threshold_->setValue(0.5);
  qf->addRow(tr("Threshold"), threshold_);
  border_ = new QSpinBox;
  border_->setRange(0, 64);
  qf->addRow(tr("Zero border (voxels)"), border_);
  minComponent_ = new QSpinBox;
  minComponent_->setRange(0, 10000000);
  minComponent_->setSingleStep(100);
  qf->addRow(tr("Min component (voxels)"), minComponent_);
  closing_ = new QSpinBox;
  closing_->setRange(0, 5);
  qf->addRow(tr("Closing radius"), closing_);
  fillHoles_ = new QCheckBox(tr("Fill holes"));
  qf->addRow(fillHoles_);
  connect(threshold_, qOverload<double>(&QDoubleSpinBox::valueChanged), &rescoreTimer_, qOverload<>(&QTimer::start));
  for (QSpinBox* s : {border_, minComponent_, closing_})
    connect(s, qOverload<int>(&QSpinBox::valueChanged), &rescoreTimer_, qOverload<>(&QTimer::start));
  connect(fillHoles_, &QCheckBox::toggled, &rescoreTimer_, qOverload<>(&QTimer::start));
  layout->addWidget(post);

  progress_ = new QProgressBar;
  progress_->setObjectName("progress");
  progress_->setVisible(false);
  stage_ = new QLabel;
  stage_->setObjectName("stage");
  stage_->setWordWrap(true);
  layout->addWidget(progress_);
  layout->addWidget(stage_);
  layout->addStretch(1);
  return panel;
}

QString PredictionsPage::runDir() const { return inspectedRunDir(context_); }

void PredictionsPage::setCheckpoint(const QString& path) { checkpoint_->setText(path); }

PostProcessOptions PredictionsPage::postProcessOptions() const {
  PostProcessOptions o;
  o.threshold = threshold_->value();
  o.borderVoxels = border_->value();
  o.minComponentVoxels = minComponent_->value();
  o.closingRadius = closing_->value();
  o.fillHoles = fillHoles_->isChecked();
  return o;
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
  std::vector<InspectVolume> volumes;
  if (context_.hasDataset()) {
    for (const auto& e : context_.dataset().train)
      if (!e.labelPath.empty()) volumes.push_back({e.id, e.imagePath, e.labelPath});
    for (const auto& e : context_.dataset().test) volumes.push_back({e.id, e.imagePath, {}});
  }
  session_.setVolumes(std::move(volumes));
  const QString run = runDir();
  if (checkpoint_->text().isEmpty() || !QFileInfo::exists(checkpoint_->text())) {
    for (const char* name : {"best.pt", "last.pt"}) {
      const QString candidate = QDir(run).filePath(QString("checkpoints/") + name);
      if (!run.isEmpty() && QFileInfo::exists(candidate)) {
        setCheckpoint(candidate);
        break;
      }
    }
  }
  split_ = readRunSplit(run, context_.engine(), context_.hasDataset() ? &context_.dataset() : nullptr);
  rows_.clear();
  for (const auto& v : session_.volumes()) {
    InspectRow row;
    row.id = v.id;
    row.labeled = v.labeled();
    rows_.push_back(row);
  }
  showRows();
  // Probabilities saved by an earlier prediction of this run: score them right away.
  const std::string probDir = run.isEmpty() ? "" : probabilityDir(run.toStdString());
  if (!probDir.empty() && QDir(QString::fromStdString(probDir)).exists()) {
    const PostProcessOptions post = postProcessOptions();
    const std::string masks = maskDir(run.toStdString());
    runTask(tr("Loading predictions"), [this, probDir, post, masks](ProgressSink& p, const CancelToken& c) {
      session_.loadProbabilities(probDir, &p, &c);
      pendingRows_ = session_.evaluate(post, masks, &p, &c);
    }, [this] { rows_ = pendingRows_; showRows(); });
  }
}

void PredictionsPage::startPrediction() {
  if (busy()) return;
  const QString checkpoint = checkpoint_->text();
  if (session_.volumes().empty()) {
    Q_EMIT taskFailed(tr("Open a dataset first: there are no volumes to predict."));
    stage_->setText(tr("No volumes: open a dataset first."));
    return;
  }
  if (checkpoint.isEmpty() || !QFileInfo::exists(checkpoint)) {
    const QString message = checkpoint.isEmpty() ? tr("Choose a checkpoint first.")
                                                 : tr("%1: no such checkpoint").arg(checkpoint);
    stage_->setText(message);
    Q_EMIT taskFailed(message);
    return;
  }
  const PredictOptions options = predictOptions();
  const PostProcessOptions post = postProcessOptions();
  const std::string run = runDir().toStdString();
  const std::string probDir = run.empty() ? "" : probabilityDir(run);
  const std::string masks = run.empty() ? "" : maskDir(run);
  runTask(tr("Predicting"), [=](ProgressSink& p, const CancelToken& c) {
    session_.predict(checkpoint.toStdString(), options, probDir, &p, &c);
    pendingRows_ = session_.evaluate(post, masks, &p, &c);
  }, [this] { rows_ = pendingRows_; showRows(); });
}

void PredictionsPage::rescore() {
  if (busy()) {
    // The running task used the old settings: stop it (a prediction is not interrupted).
    rescoreQueued_ = true;
    if (task_->title() != tr("Predicting")) task_->cancel();
    return;
  }
  const PostProcessOptions post = postProcessOptions();
  const std::string run = runDir().toStdString();
  const std::string masks = run.empty() ? "" : maskDir(run);
  runTask(tr("Scoring"), [this, post, masks](ProgressSink& p, const CancelToken& c) {
    pendingRows_ = session_.evaluate(post, masks, &p, &c);
  }, [this] { rows_ = pendingRows_; showRows(); });
}

void PredictionsPage::cancel() {
  if (task_) task_->cancel();
}

void PredictionsPage::runTask(const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
                              std::function<void()> done) {
  // The previous task has ended (runTask starts only when idle); it may be the one whose
  // signal is being handled right now, so it goes later.
  ui::BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<ui::BackgroundTask>(title, std::move(work));
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
  connect(task, &ui::BackgroundTask::finished, this, [this, title, done, finish] {
    done();
    stage_->setText(tr("%1: done").arg(title));
    finish();
    Q_EMIT rowsUpdated();
  });
  connect(task, &ui::BackgroundTask::failed, this, [this, title, finish](const QString& message) {
    stage_->setText(tr("%1 failed: %2").arg(title, message));
    finish();
    if (message != "cancelled") Q_EMIT taskFailed(message);
  });
  setBusy(true);
  task->start();
}

void PredictionsPage::setBusy(bool busy) {
  predictButton_->setEnabled(!busy);
  cancelButton_->setEnabled(busy);
  progress_->setVisible(busy);
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
    summary_->setText(lines.join("<br>") + tr(" (threshold %1)").arg(threshold_->value(), 0, 'f', 2));
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
  runTask(tr("Opening %1").arg(id), [this, sid, imagePath, result, id](ProgressSink& p, const CancelToken&) {
    p.progress("reading " + sid, 0, 2);
    result->ct = std::make_shared<const VolumeU8>(readVolumeU8(imagePath));
    p.progress("reading the label of " + sid, 1, 2);
    result->groundTruth = session_.label(sid);
    result->prediction = session_.probability(sid);
    result->title = id;
  }, [this, result] { Q_EMIT viewRequested(*result, threshold_->value()); });
}

}  // namespace vwb::inspect
