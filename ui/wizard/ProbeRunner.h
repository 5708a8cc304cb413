#pragma once
// The wizard's optional probe: a few seconds of real training with the planned settings in a
// scratch run directory, measuring throughput and the memory each device really used. It runs
// on a worker (BackgroundTask) and can be cancelled; the scratch run is deleted afterwards.
#include <QObject>
#include <memory>

#include "engine/core/Reporting.h"
#include "engine/train/TrainConfig.h"
#include "ui/common/Engine.h"
#include "ui/wizard/ProbeResult.h"

namespace vwb::ui {
class BackgroundTask;

class ProbeRunner : public QObject {
  Q_OBJECT
 public:
  static constexpr int kMinSteps = 3;  // a warm-up step plus at least two measured ones

  explicit ProbeRunner(EnginePtr engine, QObject* parent = nullptr);
  ~ProbeRunner() override;

  void start(const TrainConfig& config, double seconds);
  void cancel();
  bool running() const;
  const ProbeResult& result() const { return result_; }
  BackgroundTask* task() const { return task_.get(); }

 Q_SIGNALS:
  void progressChanged(const QString& stage, qint64 done, qint64 total);
  void finished();
  void failed(const QString& message);

 private:
  EnginePtr engine_;
  std::unique_ptr<BackgroundTask> task_;
  CancelToken stop_;  // set by cancel() or when the probe has measured enough
  ProbeResult result_;
};

}  // namespace vwb::ui
