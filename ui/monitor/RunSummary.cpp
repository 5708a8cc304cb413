#include "ui/monitor/RunSummary.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "ui/common/Engine.h"
#include "ui/monitor/MetricsJsonl.h"

namespace vwb::ui {

QString runStateName(RunState state) {
  switch (state) {
    case RunState::Running: return QObject::tr("running");
    case RunState::Finished: return QObject::tr("finished");
    case RunState::Stopped: return QObject::tr("stopped");
    case RunState::Failed: return QObject::tr("failed");
    case RunState::Interrupted: return QObject::tr("interrupted");
    case RunState::NotARun: break;
  }
  return QObject::tr("not a run");
}

QString RunSummary::text() const {
  if (state == RunState::NotARun) return runStateName(state);
  if (totalSteps <= 0) return runStateName(state);
  return QObject::tr("%1 at step %2 of %3").arg(runStateName(state)).arg(step).arg(totalSteps);
}

namespace {
QString lastLogLine(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  const qint64 tail = 4096;  // the last line is all we read
  if (f.size() > tail) f.seek(f.size() - tail);
  const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  return lines.isEmpty() ? QString() : lines.back();
}

}  // namespace

RunSummary readRunSummary(const QString& runDir, Engine& engine) {
  RunSummary s;
  const QDir dir(runDir);
  if (!QFileInfo::exists(dir.filePath("config.json"))) return s;
  try {
    const TrainConfig c = engine.loadRunConfig(runDir.toStdString());
    s.totalSteps = int64_t(c.epochs) * c.stepsPerEpoch;
    s.dataDir = QString::fromStdString(c.dataDir);
  } catch (const std::exception&) {
    s.state = RunState::Failed;  // an unreadable config: nothing can resume it
    return s;
  }
  try {
    for (const MetricsRecord& r : readMetricsJsonl(dir.filePath("metrics.jsonl")).records)
      if (const auto* st = std::get_if<StepEvent>(&r)) s.step = st->step;  // a resume rewinds: the last line counts
  } catch (const std::exception&) {
    // no metrics yet: step 0
  }
  const QString last = lastLogLine(dir.filePath("logs/training.log"));
  const bool checkpoint = QFileInfo::exists(dir.filePath("checkpoints/last.pt"));
  if (s.totalSteps > 0 && s.step >= s.totalSteps && last.contains("finished")) s.state = RunState::Finished;
  else if (!engine.runOwner(runDir.toStdString()).empty()) s.state = RunState::Running;
  else if (last.contains("[error]")) s.state = RunState::Failed;
  else if (last.contains("stopped at step")) s.state = RunState::Stopped;
  else if (s.totalSteps > 0 && s.step >= s.totalSteps) s.state = RunState::Finished;
  else s.state = RunState::Interrupted;
  s.resumable = checkpoint && (s.state == RunState::Stopped || s.state == RunState::Interrupted);
  return s;
}

}  // namespace vwb::ui
