#include "ui/inspect/PredictReaction.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/LongPredictionDialog.h"
#include "ui/inspect/PredictionsPage.h"
#include "ui/inspect/RunLocator.h"

namespace vwb::inspect {

PredictReaction::PredictReaction(PredictionsPage& page, PredictionTasks& tasks)
    : QObject(&page), page_(page), tasks_(tasks) {
  group_ = new QGroupBox(tr("Prediction (runs the network)"));
  auto* pf = new QFormLayout(group_);
  ensemble_ = new EnsembleChooser;
  pf->addRow(ensemble_);
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
    connect(c, &QCheckBox::toggled, this, &PredictReaction::updateEstimate);
  }
  pf->addRow(tr("Predict"), which);
  connect(overlap_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &PredictReaction::updateEstimate);
  connect(tta_, qOverload<int>(&QComboBox::currentIndexChanged), this, &PredictReaction::updateEstimate);
  predictButton_ = new QPushButton(tr("Predict"));
  predictButton_->setObjectName("predict");
  pf->addRow(predictButton_);
  estimate_ = new QLabel;
  estimate_->setObjectName("estimate");
  estimate_->setTextFormat(Qt::RichText);
  estimate_->setWordWrap(true);
  estimate_->setMinimumHeight(3 * estimate_->fontMetrics().lineSpacing() + 4);  // its lines, wrapped, whatever the layout
  pf->addRow(estimate_);
  connect(predictButton_, &QPushButton::clicked, this, &PredictReaction::trigger);
  connect(ensemble_, &EnsembleChooser::changed, this, &PredictReaction::updateEstimate);
  connect(ensemble_, &EnsembleChooser::message, &tasks_, &PredictionTasks::setStage);
  connect(&tasks_, &PredictionTasks::busyChanged, predictButton_, [this](bool busy) { predictButton_->setEnabled(!busy); });
  connect(&tasks_, &PredictionTasks::finished, this, [this](PredictionTasks::Kind kind) { taskEnded(kind, false); });
  connect(&tasks_, &PredictionTasks::failed, this, [this](PredictionTasks::Kind kind, const QString& message) {
    taskEnded(kind, message == "cancelled");
  });
}

PredictOptions PredictReaction::options() const {
  PredictOptions o;
  o.overlap = overlap_->value();
  o.tta = static_cast<Tta>(tta_->currentIndex());
  o.batch = batch_->value();
  return o;
}

std::vector<std::string> PredictReaction::idsToPredict() const {
  std::vector<std::string> ids;
  for (const auto& v : page_.session().volumes()) {
    const VolumeRole role = page_.split().role(v.id, v.labeled());
    const bool wanted = role == VolumeRole::Test       ? predictTest_->isChecked()
                        : role == VolumeRole::Train    ? predictTraining_->isChecked()
                                                       : predictValidation_->isChecked();  // or split unknown
    if (wanted) ids.push_back(v.id);
  }
  return ids;
}

std::vector<Shape3> PredictReaction::shapesOf(const std::vector<std::string>& ids) const {
  std::vector<Shape3> shapes;
  for (const auto& v : page_.session().volumes())
    if (std::find(ids.begin(), ids.end(), v.id) != ids.end()) shapes.push_back(v.shape);
  return shapes;
}

QString PredictReaction::estimateText() const { return estimate_->text(); }

// The choice's counts and what it would cost: tiles from the checkpoints' patches, time from the
// tile rate measured here (this session's last prediction with the same models).
void PredictReaction::updateEstimate() {
  int validation = 0, test = 0, training = 0, unknown = 0;
  for (const auto& v : page_.session().volumes()) {
    const VolumeRole role = page_.split().role(v.id, v.labeled());
    ++(role == VolumeRole::Test ? test : role == VolumeRole::Train ? training : role == VolumeRole::Validation ? validation : unknown);
  }
  predictValidation_->setText(unknown > 0 ? tr("Labelled volumes, split unknown (%1)").arg(unknown + validation)
                                          : tr("Validation volumes (%1)").arg(validation));
  predictTest_->setText(tr("Test volumes (%1)").arg(test));
  predictTraining_->setText(tr("Training volumes (%1)").arg(training));
  predictTraining_->setVisible(training > 0);
  if (tasks_.busy() && tasks_.kind() == PredictionTasks::Kind::Predict) return;  // the running prediction reports its own
  const std::vector<std::string> ids = idsToPredict();
  const std::vector<std::string> checkpoints = ensemble_->checkpoints();
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
    plan = planPrediction(page_.context().engine(), checkpoints, options(), shapesOf(ids));
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

void PredictReaction::trigger() {
  if (tasks_.busy()) return;
  if (page_.session().volumes().empty()) {
    page_.reportProblem(tr("Open a dataset first: there are no volumes to predict."), false);
    tasks_.setStage(tr("No volumes: open a dataset first."));
    return;
  }
  const std::vector<EnsembleChooser::Member> members = ensemble_->members();
  QString problem = members.empty() ? tr("Choose a checkpoint first.") : QString();
  for (const EnsembleChooser::Member& m : members)
    if (problem.isEmpty() && !QFileInfo::exists(m.checkpoint)) problem = tr("%1: no such checkpoint").arg(m.checkpoint);
  if (problem.isEmpty() && idsToPredict().empty()) problem = tr("Choose what to predict: validation, test or training volumes.");
  if (!problem.isEmpty()) {
    page_.reportProblem(problem);
    return;
  }
  // A rate measured here: warn before starting what would take long.
  const std::vector<std::string> checkpoints = ensemble_->checkpoints();
  const double rate = TileRates::rate(checkpoints);
  if (rate > 0) {
    PredictionPlan plan;
    try {
      plan = planPrediction(page_.context().engine(), checkpoints, options(), shapesOf(idsToPredict()));
    } catch (const std::exception&) {
      // the prediction itself reports the bad checkpoint
    }
    if (plan.tiles > 0 && plan.tiles / rate > longPredictionSeconds_) {
      askAboutLongPrediction(plan.tiles / rate, plan.tiles, rate, false);
      return;
    }
  }
  startNow();
}

// The warning before (or, without a measured rate, in the first seconds of) a long prediction,
// with the cheaper setting and its time. Not modal: the page keeps painting (and predicting).
void PredictReaction::askAboutLongPrediction(double seconds, int64_t tiles, double rate, bool running) {
  if (page_.findChild<QMessageBox*>("longPrediction")) return;
  LongPredictionDialog::Facts f;
  f.volumes = tr("%n volume(s)", "", int(idsToPredict().size()));
  f.options = options();
  f.cheaper = cheaperPredictOptions(f.options);
  f.seconds = seconds;
  f.tiles = tiles;
  f.tilesPerSecond = rate;
  f.running = running;
  try {
    f.cheaperTiles = planPrediction(page_.context().engine(), ensemble_->checkpoints(), f.cheaper, shapesOf(idsToPredict())).tiles;
  } catch (const std::exception&) {
    // no cheaper setting offered
  }
  auto* box = new LongPredictionDialog(f, &page_);
  const PredictOptions cheaper = f.cheaper;
  connect(box, &LongPredictionDialog::chosen, this, [this, cheaper, running](LongPredictionDialog::Choice choice) {
    using Choice = LongPredictionDialog::Choice;
    if (running) {  // Go on: nothing to do; else stop it (and restart with the cheaper setting)
      if (choice == Choice::Go) return;
      restartCheaper_ = choice == Choice::Cheaper;
      if (tasks_.busy() && tasks_.kind() == PredictionTasks::Kind::Predict) tasks_.cancel();
      return;
    }
    if (choice == Choice::Stop) return;
    if (choice == Choice::Cheaper) {
      overlap_->setValue(cheaper.overlap);
      tta_->setCurrentIndex(static_cast<int>(cheaper.tta));
    }
    startNow();
  });
  box->open();
}

void PredictReaction::showReading(const MeteredPredictor::Reading& r, bool rateKnownBefore) {
  if (!(tasks_.busy() && tasks_.kind() == PredictionTasks::Kind::Predict)) return;
  QString text = tr("%1 / %2 tiles").arg(QLocale().toString(qlonglong(r.tilesDone)), QLocale().toString(qlonglong(r.tilesTotal)));
  if (r.tilesPerSecond > 0)
    text += tr("<br>%1 tiles/s: about <b>%2</b> left").arg(r.tilesPerSecond, 0, 'f', 2).arg(ui::formatDuration(r.secondsLeft));
  else
    text += tr("<br>measuring the tile rate…");
  estimate_->setText(text);
  if (r.firstMeasurement && !rateKnownBefore && r.secondsLeft > longPredictionSeconds_)
    askAboutLongPrediction(r.secondsLeft, r.tilesTotal, r.tilesPerSecond, true);
}

void PredictReaction::startNow() {
  if (tasks_.busy()) return;
  const std::vector<EnsembleChooser::Member> members = ensemble_->members();
  std::vector<std::string> checkpoints;
  std::vector<double> weights;
  for (const EnsembleChooser::Member& m : members) {
    checkpoints.push_back(m.checkpoint.toStdString());
    weights.push_back(m.weight);
  }
  const std::vector<std::string> ids = idsToPredict();
  const PredictOptions options = this->options();
  const PostProcessOptions post = page_.postProcessOptions();
  const std::string run = page_.runDir().toStdString();
  const std::string probDir = run.empty() ? "" : probabilityDir(run);
  const std::string masks = run.empty() ? "" : maskDir(run);
  const ui::EnginePtr engine = page_.context().enginePtr();
  PredictionPlan plan;
  try {
    plan = planPrediction(*engine, checkpoints, options, shapesOf(ids));
  } catch (const std::exception&) {
    // loadPredictor below names the bad checkpoint
  }
  const bool rateKnown = TileRates::rate(checkpoints) > 0;
  const QString title = members.size() > 1 ? tr("Predicting (ensemble of %1)").arg(members.size()) : tr("Predicting");
  estimate_->setText(tr("%n volume(s): loading…", "", int(ids.size())));
  PredictionSession& session = page_.session();
  tasks_.run(PredictionTasks::Kind::Predict, title, [=, &session](ProgressSink& p, const CancelToken& c) {
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
    session.predict(*engine, metered, probDir, &p, &c, &ids);
    TileRates::record(checkpoints, metered.measuredRate() > 0 ? metered.measuredRate() : metered.overallRate());
    pendingRows_ = session.evaluate(post, masks, &p, &c);
    pendingPost_ = post;
  }, [this] { page_.showPrediction(pendingRows_, pendingPost_); });
}

// After a prediction, whatever its end: the question about it goes, the estimate comes back; a
// prediction stopped for the cheaper setting starts again with it.
void PredictReaction::taskEnded(PredictionTasks::Kind kind, bool cancelled) {
  if (kind != PredictionTasks::Kind::Predict) return;
  if (auto* box = page_.findChild<QMessageBox*>("longPrediction")) box->close();
  QTimer::singleShot(0, this, [this] { updateEstimate(); });
  if (cancelled && restartCheaper_) {
    restartCheaper_ = false;
    const PredictOptions cheaper = cheaperPredictOptions(options());
    overlap_->setValue(cheaper.overlap);
    tta_->setCurrentIndex(static_cast<int>(cheaper.tta));
    QTimer::singleShot(0, this, [this] { startNow(); });
  }
}

}  // namespace vwb::inspect
