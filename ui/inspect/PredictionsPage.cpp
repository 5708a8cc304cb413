#include "ui/inspect/PredictionsPage.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "engine/io/TiffVolume.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/PostProcessControls.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/PredictReaction.h"
#include "ui/inspect/RunLocator.h"
#include "ui/inspect/TuneReaction.h"

namespace vwb::inspect {

PredictionsPage::PredictionsPage(ui::WorkbenchContext& context, QWidget* parent)
    : QWidget(parent), context_(context) {
  model_ = new ScoreTableModel(this);
  table_ = new QTableView;
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setAlternatingRowColors(true);
  // Best first; the test volumes (no score) at the end.
  table_->sortByColumn(Score, Qt::DescendingOrder);
  table_->setToolTip(tr("Double-click a volume to open it with its prediction and ground truth in the viewer"));
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) { openRow(index.row()); });

  // The reactions react to a task's end before the page does (connection order): the
  // prediction's question closes and the tuning says it was cancelled before a queued re-score
  // starts and rowsUpdated/taskFailed go out.
  tasks_ = new PredictionTasks(this);
  predict_ = new PredictReaction(*this, *tasks_);
  tune_ = new TuneReaction(*this, *tasks_);
  connect(tune_, &TuneReaction::finished, this, &PredictionsPage::tuningFinished);
  connect(tasks_, &PredictionTasks::finished, this, [this](PredictionTasks::Kind kind) { taskEnded(kind, {}); });
  connect(tasks_, &PredictionTasks::failed, this, &PredictionsPage::taskEnded);
  post_ = new PostProcessControls;
  connect(post_, &PostProcessControls::changed, &rescoreTimer_, qOverload<>(&QTimer::start));

  auto* controls = new QWidget;
  controls->setMaximumWidth(320);
  auto* left = new QVBoxLayout(controls);
  left->setContentsMargins(0, 0, 0, 0);
  left->addWidget(predict_->group());
  left->addWidget(post_);
  left->addWidget(tune_->group());
  // One progress bar and Cancel for every task of the page (prediction, tuning, scoring).
  auto* bar = new QHBoxLayout;
  bar->addWidget(tasks_->progressBar(), 1);
  bar->addWidget(tasks_->cancelButton());
  left->addLayout(bar);
  left->addWidget(tasks_->stageLabel());
  left->addStretch(1);

  summary_ = new QLabel;
  summary_->setTextFormat(Qt::RichText);
  summary_->setWordWrap(true);
  auto* right = new QVBoxLayout;
  right->addWidget(summary_);
  right->addWidget(table_, 1);
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(controls);
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
  tasks_->shutdown();
}

QString PredictionsPage::runDir() const { return inspectedRunDir(context_); }

void PredictionsPage::setCheckpoint(const QString& path) { predict_->ensemble().setCheckpoint(path); }
void PredictionsPage::addCheckpoint(const QString& path, double weight) { predict_->ensemble().addCheckpoint(path, weight); }
std::vector<PredictionsPage::EnsembleMember> PredictionsPage::ensemble() const { return predict_->ensemble().members(); }
PostProcessOptions PredictionsPage::postProcessOptions() const { return post_->options(); }
void PredictionsPage::setPostProcessOptions(const PostProcessOptions& o) { post_->setOptions(o); }
QDoubleSpinBox* PredictionsPage::thresholdSpin() const { return post_->thresholdSpin(); }
PredictOptions PredictionsPage::predictOptions() const { return predict_->options(); }
void PredictionsPage::startPrediction() { predict_->trigger(); }
double PredictionsPage::longPredictionSeconds() const { return predict_->longPredictionSeconds(); }
void PredictionsPage::setLongPredictionSeconds(double seconds) { predict_->setLongPredictionSeconds(seconds); }
std::vector<std::string> PredictionsPage::idsToPredict() const { return predict_->idsToPredict(); }
QString PredictionsPage::estimateText() const { return predict_->estimateText(); }
void PredictionsPage::startTuning() { tune_->trigger(); }
void PredictionsPage::applyTuning() { tune_->apply(); }
const std::optional<ui::PostProcessTuning>& PredictionsPage::lastTuning() const { return tune_->lastTuning(); }
void PredictionsPage::cancel() { tasks_->cancel(); }
bool PredictionsPage::busy() const { return tasks_->busy(); }
QString PredictionsPage::summaryText() const { return summary_->text(); }

void PredictionsPage::reportProblem(const QString& message, bool setStage) {
  if (setStage) tasks_->setStage(message);
  Q_EMIT taskFailed(message);
}

void PredictionsPage::reload() {
  tasks_->cancelAndWait();
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
  predict_->ensemble().showRun(run);
  // The run's one post-processing setting: the controls show it (a run without a record starts
  // from the defaults: the threshold 0.5 alone).
  if (!run.isEmpty()) {
    const auto record = readPostProcessRecord(postProcessRecordPath(QString::fromStdString(maskDir(run.toStdString()))));
    setPostProcessOptions(record.value_or(PostProcessOptions{}));
  }
  if (run != lastRun_) tune_->forget();
  lastRun_ = run;
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
  predict_->updateEstimate();
  // Probabilities saved by an earlier prediction of this run: score them right away.
  const std::string probDir = run.isEmpty() ? "" : probabilityDir(run.toStdString());
  if (!probDir.empty() && QDir(QString::fromStdString(probDir)).exists()) {
    const PostProcessOptions post = postProcessOptions();
    const std::string masks = maskDir(run.toStdString());
    tasks_->run(PredictionTasks::Kind::Load, tr("Loading predictions"), [this, probDir, post, masks](ProgressSink& p, const CancelToken& c) {
      session_.loadProbabilities(probDir, &p, &c);
      pendingRows_ = session_.evaluate(post, masks, &p, &c);
      pendingPost_ = post;
    }, [this] { showScores(pendingRows_, pendingPost_); });
  }
}

void PredictionsPage::showScores(const std::vector<InspectRow>& rows, const PostProcessOptions& post) {
  rows_ = rows;
  rowsPost_ = post;
  showRows();
}

void PredictionsPage::showPrediction(const std::vector<InspectRow>& rows, const PostProcessOptions& post) {
  rows_ = rows;
  rowsPost_ = post;
  tune_->forget();  // tuned on the probabilities the prediction replaced
  showRows();
}

void PredictionsPage::rescore() {
  if (busy()) {
    // The running task used the old settings: stop a scoring; a prediction, a tuning, the
    // loading of the saved probabilities and the opening of a volume run on, and the scoring
    // follows them.
    rescoreQueued_ = true;
    if (tasks_->kind() == PredictionTasks::Kind::Score) tasks_->cancel();
    return;
  }
  const PostProcessOptions post = postProcessOptions();
  const std::string run = runDir().toStdString();
  const std::string masks = run.empty() ? "" : maskDir(run);
  tasks_->run(PredictionTasks::Kind::Score, tr("Scoring"), [this, post, masks](ProgressSink& p, const CancelToken& c) {
    pendingRows_ = session_.evaluate(post, masks, &p, &c);
    pendingPost_ = post;
  }, [this] { showScores(pendingRows_, pendingPost_); });
}

// Every task's end, after the reactions saw it: a re-score asked for meanwhile runs now; the
// table's fresh scores or the failure are announced.
void PredictionsPage::taskEnded(PredictionTasks::Kind kind, const QString& failure) {
  if (rescoreQueued_) {
    rescoreQueued_ = false;
    rescore();
  }
  if (!failure.isEmpty()) {
    if (failure != "cancelled") Q_EMIT taskFailed(failure);
  } else if (kind != PredictionTasks::Kind::Tune && kind != PredictionTasks::Kind::Open) {
    Q_EMIT rowsUpdated();
  }
}

void PredictionsPage::showRows() {
  model_->setRows(rows_, split_, table_->horizontalHeader()->sortIndicatorSection(),
                  table_->horizontalHeader()->sortIndicatorOrder());
  summary_->setText(ScoreTableModel::summary(rows_, split_, rowsPost_, !session_.volumes().empty()));
}

void PredictionsPage::openRow(int row) {
  const QString id = model_->item(row, Id)->text();
  if (busy()) {
    tasks_->setStage(tr("Wait for the current task before opening %1.").arg(id));
    return;
  }
  const std::string sid = id.toStdString();
  std::string imagePath;
  for (const auto& v : session_.volumes())
    if (v.id == sid) imagePath = v.imagePath;
  auto result = std::make_shared<viewer::ViewerVolumes>();
  tasks_->run(PredictionTasks::Kind::Open, tr("Opening %1").arg(id), [this, sid, imagePath, result, id](ProgressSink& p, const CancelToken&) {
    p.progress("reading " + sid, 0, 2);
    result->ct = std::make_shared<const VolumeU8>(readVolumeU8(imagePath));
    p.progress("reading the label of " + sid, 1, 2);
    result->groundTruth = session_.label(sid);
    result->prediction = session_.probability(sid);
    result->title = id;
  }, [this, result] { Q_EMIT viewRequested(*result, post_->thresholdSpin()->value()); });
}

}  // namespace vwb::inspect
