#pragma once
// What a run folder says about its run without opening it: running, finished, stopped (a
// checkpoint to resume from), failed or interrupted (killed: no end in its log), how far it
// got, and which dataset it trained on — for Recent runs, the start-up offer to resume, and
// opening a run's dataset with the run. Read from the folder's files only.
#include <QString>
#include <cstdint>

namespace vwb::ui {
class Engine;

enum class RunState { NotARun, Running, Finished, Stopped, Failed, Interrupted };

struct RunSummary {
  RunState state = RunState::NotARun;
  int64_t step = 0, totalSteps = 0;  // last recorded step, planned steps
  QString dataDir;                   // the dataset it trains on (config.json)
  bool resumable = false;            // checkpoints/last.pt exists and the run is not over
  QString text() const;              // "stopped at step 40 of 100"
};

// A run is "running" while a live process holds its run lock (Engine::runOwner): the kernel drops
// the lock when that process ends, however it ends, so this is never stale.
RunSummary readRunSummary(const QString& runDir, Engine& engine);
QString runStateName(RunState state);

}  // namespace vwb::ui
