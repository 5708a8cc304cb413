#include "ui/wizard/ProbeRunner.h"

#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <mutex>

#include "engine/core/Error.h"
#include "ui/common/BackgroundTask.h"

namespace vwb::ui {
namespace {

// Collects step events on the engine's threads and stops the run once it has enough.
class ProbeSink : public TrainingSink {
 public:
  ProbeSink(CancelToken& stop, ProgressSink& progress, double seconds)
      : stop_(stop), progress_(progress), seconds_(seconds), start_(std::chrono::steady_clock::now()) {}

  void onStep(const StepEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (steps_++ > 0) rates_.push_back(e.samplesPerSec);  // first step pays warm-up costs
    for (const DeviceMemory& m : e.memory) {
      auto it = std::find_if(peak_.begin(), peak_.end(), [&](const DeviceMemory& p) { return p.device == m.device; });
      if (it == peak_.end()) peak_.push_back(m);
      else if (std::max(m.peakBytes, m.allocatedBytes) > std::max(it->peakBytes, it->allocatedBytes)) *it = m;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    progress_.progress("probing", static_cast<int64_t>(std::min(elapsed, seconds_) * 1000),
                       static_cast<int64_t>(seconds_ * 1000));
    if (elapsed >= seconds_ && steps_ >= ProbeRunner::kMinSteps) stop_.cancel();
  }

  ProbeResult result(const TrainConfig& c) {
    std::lock_guard<std::mutex> lock(mutex_);
    ProbeResult r;
    r.steps = static_cast<int>(rates_.size());
    if (!rates_.empty()) {
      std::sort(rates_.begin(), rates_.end());
      r.samplesPerSec = rates_[rates_.size() / 2];
      const double globalBatch = static_cast<double>(c.data.batchPerDevice) * std::max<size_t>(1, c.distributed.devices.size()) * c.optimizer.gradAccumulation;
      r.secondsPerStep = r.samplesPerSec > 0 ? globalBatch / r.samplesPerSec : 0;
    }
    r.peak = peak_;
    r.batchPerDevice = c.data.batchPerDevice;
    r.patch = c.data.patch;
    return r;
  }

 private:
  CancelToken& stop_;
  ProgressSink& progress_;
  double seconds_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  int steps_ = 0;
  std::vector<double> rates_;
  std::vector<DeviceMemory> peak_;
};

}  // namespace

ProbeRunner::ProbeRunner(EnginePtr engine, QObject* parent) : QObject(parent), engine_(std::move(engine)) {}

ProbeRunner::~ProbeRunner() {
  // Stops the probe's training at its next step and joins it: the scratch run folder goes with
  // the worker, and nothing the work uses (stop_, result_) is destroyed under it.
  cancel();
  task_.reset();
  BackgroundTask::shutdownAll(this);
}

bool ProbeRunner::running() const { return task_ && task_->running(); }

void ProbeRunner::cancel() {
  stop_.cancel();
  if (task_) task_->cancel();
}

void ProbeRunner::start(const TrainConfig& config, double seconds) {
  if (running()) return;
  stop_.reset();
  auto work = [this, config, seconds](ProgressSink& progress, const CancelToken&) {
    QTemporaryDir scratch;  // removed with everything the probe wrote
    if (!scratch.isValid()) throw Error("probe: cannot create a scratch run directory");
    TrainConfig c = config;
    c.run.dir = scratch.filePath("probe").toStdString();
    c.run.epochs = 1;
    c.run.stepsPerEpoch = 1000000;  // never reached: the sink stops the run
    c.run.resume = false;
    ProbeSink sink(stop_, progress, seconds);
    progress.progress("starting the probe", 0, static_cast<int64_t>(seconds * 1000));
    RunEndEvent end = engine_->runTraining(c, sink, stop_);
    if (end.outcome == RunOutcome::Failed) throw Error("probe failed: " + end.message);
    result_ = sink.result(c);
    if (result_.steps == 0) throw Error("probe stopped before it measured a step");
  };
  BackgroundTask::retire(std::move(task_), this);  // ended; maybe inside its own signal
  task_ = std::make_unique<BackgroundTask>(tr("Probe"), work);
  connect(task_.get(), &BackgroundTask::progressChanged, this, &ProbeRunner::progressChanged);
  connect(task_.get(), &BackgroundTask::finished, this, &ProbeRunner::finished);
  connect(task_.get(), &BackgroundTask::failed, this, &ProbeRunner::failed);
  task_->start();
}

}  // namespace vwb::ui
