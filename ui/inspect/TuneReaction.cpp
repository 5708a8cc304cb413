#include "ui/inspect/TuneReaction.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/PostProcessRecord.h"
#include "ui/inspect/PredictionsPage.h"

namespace vwb::inspect {

TuneReaction::TuneReaction(PredictionsPage& page, PredictionTasks& tasks) : QObject(&page), page_(page), tasks_(tasks) {
  group_ = new QGroupBox(tr("Tuning (validation volumes, no network)"));
  auto* tl = new QVBoxLayout(group_);
  tune_ = new QPushButton(tr("Tune"));
  tune_->setObjectName("tune");
  tune_->setToolTip(tr("vwb tune: searches threshold and post-processing on the validation volumes' "
                       "probabilities for the best mean official score"));
  apply_ = new QPushButton(tr("Apply"));
  apply_->setObjectName("applyTuned");
  apply_->setEnabled(false);
  apply_->setToolTip(tr("Make the tuned setting the run's post-processing (the masks, the viewer and the export follow)"));
  auto* tb = new QHBoxLayout;
  tb->addWidget(tune_);
  tb->addWidget(apply_);
  tl->addLayout(tb);
  result_ = new QLabel;
  result_->setObjectName("tuneResult");
  result_->setTextFormat(Qt::RichText);
  result_->setWordWrap(true);
  tl->addWidget(result_);
  connect(tune_, &QPushButton::clicked, this, &TuneReaction::trigger);
  connect(apply_, &QPushButton::clicked, this, &TuneReaction::apply);
  connect(&tasks_, &PredictionTasks::busyChanged, this, [this](bool busy) {
    tune_->setEnabled(!busy);
    apply_->setEnabled(applicable() && !busy);
  });
  connect(&tasks_, &PredictionTasks::failed, this, [this](PredictionTasks::Kind kind, const QString& message) {
    if (kind == PredictionTasks::Kind::Tune)
      result_->setText(message == "cancelled" ? tr("Tuning cancelled: the run's post-processing is unchanged.")
                                              : tr("Tuning failed: %1").arg(message.toHtmlEscaped()));
  });
  show();
}

bool TuneReaction::applicable() const {
  return tuning_ && !applied_ && !samePostProcess(tuning_->tuned, tuning_->current);
}

void TuneReaction::forget() {
  tuning_.reset();
  applied_ = false;
  show();
}

// Validation volumes with probabilities: the run's held-out ones; every labelled one when the
// run records no split (said in *why); none when the split holds none out.
std::vector<std::string> TuneReaction::tuneIds(QString* why) const {
  std::vector<std::string> ids;
  const RunSplit& split = page_.split();
  for (const InspectRow& r : page_.rows())
    if (r.labeled && r.predicted && (!split.known() || split.role(r.id, true) == VolumeRole::Validation)) ids.push_back(r.id);
  if (split.known())
    *why = ids.empty() ? tr("This run holds no labelled volume out (every one was trained on): there is nothing to tune on "
                            "that would not flatter the model.")
                       : tr("%1 validation volume(s)").arg(ids.size());
  else
    *why = ids.empty() ? tr("No labelled volume has probabilities yet: predict first.")
                       : tr("%1 labelled volume(s); the run records no split, so some may have been trained on").arg(ids.size());
  return ids;
}

void TuneReaction::trigger() {
  if (tasks_.busy()) return;
  QString why;
  const std::vector<std::string> ids = tuneIds(&why);
  tuning_.reset();
  applied_ = false;
  if (ids.empty()) {
    note_.clear();
    show();
    result_->setText(why);
    tasks_.setStage(why);
    page_.reportProblem(why, false);
    return;
  }
  note_ = why;
  show();
  result_->setText(tr("Tuning on %1…").arg(why));
  const PostProcessOptions current = page_.postProcessOptions();
  const ui::EnginePtr engine = page_.context().enginePtr();
  PredictionSession& session = page_.session();
  tasks_.run(PredictionTasks::Kind::Tune, tr("Tuning"), [=, &session](ProgressSink& p, const CancelToken& c) {
    pending_ = engine->tunePostProcessing(session.tuneVolumes(ids), current, &p, &c);
  }, [this] {
    tuning_ = pending_;
    show();
    Q_EMIT finished();
  });
}

void TuneReaction::apply() {
  if (!tuning_ || tasks_.busy()) return;
  page_.setPostProcessOptions(tuning_->tuned);
  applied_ = true;
  show();
  page_.rescore();  // writes the masks and the run's record with the tuned setting
}

void TuneReaction::show() {
  apply_->setEnabled(applicable() && !tasks_.busy());
  if (!tuning_) {
    result_->setText(tr("<span style='color:gray'>Searches threshold and post-processing for the best validation "
                        "mean (vwb tune).</span>"));
    return;
  }
  const ui::PostProcessTuning& t = *tuning_;
  const double gain = t.tunedScore - t.currentScore;
  QStringList lines;
  lines << tr("On %1, %2 settings scored:").arg(note_).arg(t.evaluations);
  lines << tr("<b>before %1</b> — %2").arg(t.currentScore, 0, 'f', 4).arg(describePostProcess(t.current).toHtmlEscaped());
  lines << tr("<b>after %1</b> (%2%3) — %4")
               .arg(t.tunedScore, 0, 'f', 4)
               .arg(gain >= 0 ? "+" : "")
               .arg(gain, 0, 'f', 4)
               .arg(describePostProcess(t.tuned).toHtmlEscaped());
  if (applied_) lines << tr("<b>Applied</b>: the run's post-processing is the tuned setting.");
  else if (samePostProcess(t.tuned, t.current)) lines << tr("The current setting is the best the search found.");
  else if (gain < 0) lines << tr("<span style='color:#8a5a00'>The search does not try every setting (the border is one "
                                 "it leaves alone): the current one scores higher.</span>");
  result_->setText(lines.join("<br>"));
}

}  // namespace vwb::inspect
