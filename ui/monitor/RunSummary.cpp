#include "ui/monitor/RunSummary.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "engine/run/RunFolder.h"
#include "engine/train/MetricsJsonl.h"
#include "ui/common/Engine.h"

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
  if (state == RunState::Failed && step == 0) return QObject::tr("failed before its first step");
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

// The last step line of metrics.jsonl, read from the file's end: a 1000-epoch run's file holds
// ~250,000 lines, and Recent runs asks for every run it lists. 0 when none is in the tail.
int64_t lastRecordedStep(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return 0;
  for (qint64 tail = 64 * 1024;; tail *= 4) {
    const qint64 from = std::max<qint64>(0, f.size() - tail);
    f.seek(from);
    QList<QByteArray> lines = f.readAll().split('\n');
    if (from > 0 && !lines.isEmpty()) lines.removeFirst();  // cut mid-line
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {  // a resume rewinds: the last one counts
      MetricsRecord r;
      std::string problem;
      if (!it->trimmed().isEmpty() && parseMetricsLine(it->trimmed().toStdString(), r, problem) == MetricsLine::Record)
        if (const auto* st = std::get_if<StepEvent>(&r)) return st->step;
    }
    if (from == 0) return 0;
  }
}

}  // namespace

RunSummary readRunSummary(const QString& runDir, Engine& engine) {
  RunSummary s;
  const RunFolder run(runDir.toStdString());
  auto path = [](const std::string& p) { return QString::fromStdString(p); };
  if (!QFileInfo::exists(path(run.config()))) return s;
  try {
    const TrainConfig c = engine.loadRunConfig(runDir.toStdString());
    s.totalSteps = int64_t(c.run.epochs) * c.run.stepsPerEpoch;
    s.dataDir = QString::fromStdString(c.run.dataDir);
  } catch (const std::exception&) {
    s.state = RunState::Failed;  // an unreadable config: nothing can resume it
    return s;
  }
  s.step = lastRecordedStep(path(run.metrics()));  // no metrics yet: step 0
  const QString last = lastLogLine(path(run.trainingLog()));
  const bool checkpoint = QFileInfo::exists(path(run.lastCheckpoint()));
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
