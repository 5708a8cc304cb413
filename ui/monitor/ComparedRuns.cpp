#include "ui/monitor/ComparedRuns.h"

#include <variant>

#include <QDir>
#include <QFileInfo>

#include "engine/run/RunFolder.h"
#include "engine/train/MetricsJsonl.h"
#include "ui/common/Engine.h"

namespace vwb::ui {
namespace {
// Colours none of the open run's loss and validation curves use.
const QColor kComparedColors[] = {QColor(210, 0, 110), QColor(170, 120, 0), QColor(150, 50, 150),
                                  QColor(0, 130, 130), QColor(110, 75, 35), QColor(80, 80, 80)};
}  // namespace

ComparedRuns::ComparedRuns(Engine& engine, QObject* parent) : QObject(parent), engine_(engine) {}

QStringList ComparedRuns::dirs() const {
  QStringList out;
  for (const auto& run : runs_) out << run->dir;
  return out;
}

QString ComparedRuns::add(const QString& dir, const QString& shownRun) {
  const QString abs = QDir(dir).absolutePath();
  if (abs == shownRun) return tr("%1 is the run shown: compare it with another one").arg(abs);
  if (dirs().contains(abs)) return tr("%1 is compared already").arg(abs);
  auto run = std::make_unique<ComparedRun>();
  run->dir = abs;
  try {
    const MetricsFile file = readMetricsFile(RunFolder(abs.toStdString()).metrics());
    for (const MetricsRecord& r : file.records) {
      if (auto* st = std::get_if<StepEvent>(&r)) run->series.addRecordedStep(*st);
      else if (auto* ep = std::get_if<EpochEvent>(&r)) run->series.addEpoch(*ep);
    }
  } catch (const std::exception& e) {
    return tr("Cannot compare: %1").arg(QString::fromStdString(e.what()));
  }
  try {  // the epoch length, for plotting by epoch (metrics.jsonl does not repeat it)
    run->series.stepsPerEpoch = engine_.loadRunConfig(abs.toStdString()).run.stepsPerEpoch;
  } catch (const std::exception&) {
    const StepEvent& last = run->series.lastStep;  // step lines carry their epoch: an estimate
    if (last.epoch > 0) run->series.stepsPerEpoch = (last.step + last.epoch - 1) / last.epoch;
  }
  // A name the legend can tell apart: the folder, with its parent when another run has that name.
  run->name = QFileInfo(abs).fileName();
  bool clash = QFileInfo(shownRun).fileName() == run->name;
  for (const auto& other : runs_) clash = clash || other->name == run->name;
  if (clash) run->name = QFileInfo(QFileInfo(abs).path()).fileName() + "/" + run->name;
  // A colour no compared run uses.
  run->color = kComparedColors[0];
  for (const QColor& c : kComparedColors) {
    bool used = false;
    for (const auto& other : runs_) used = used || other->color == c;
    if (!used) {
      run->color = c;
      break;
    }
  }
  runs_.push_back(std::move(run));
  Q_EMIT added(abs);
  return {};
}

void ComparedRuns::remove(const QString& dir) {
  const QString abs = QDir(dir).absolutePath();
  for (auto it = runs_.begin(); it != runs_.end(); ++it) {
    if ((*it)->dir != abs) continue;
    runs_.erase(it);
    Q_EMIT removed(abs);
    return;
  }
}

}  // namespace vwb::ui
