#include "ui/common/TrainingThread.h"

#include <QMetaObject>
#include <QPointer>
#include <exception>

#include "engine/core/Error.h"

namespace vwb::ui {

TrainingThread::TrainingThread(EnginePtr engine, TrainConfig config, QObject* parent)
    : QObject(parent), engine_(std::move(engine)), config_(std::move(config)) {}

TrainingThread::~TrainingThread() {
  cancel_.cancel();
  if (worker_.joinable()) worker_.join();
}

void TrainingThread::start() {
  if (running_ || worker_.joinable()) return;
  running_ = true;
  worker_ = std::thread([this] {
    RunEndEvent end;
    try {
      end = engine_->runTraining(config_, bridge_, cancel_);
    } catch (const Cancelled&) {
      end.outcome = RunOutcome::Stopped;
      end.message = "cancelled before training started";
    } catch (const std::exception& e) {
      end.outcome = RunOutcome::Failed;
      end.message = e.what();
      bridge_.log(LogLevel::Error, e.what());
    }
    // Queued to the GUI thread; the object outlives the worker (the destructor joins).
    QMetaObject::invokeMethod(this, [this, end] { onWorkerDone(end); }, Qt::QueuedConnection);
  });
}

void TrainingThread::stop() { cancel_.cancel(); }

void TrainingThread::onWorkerDone(RunEndEvent end) {
  if (endReported_) return;
  endReported_ = true;
  if (worker_.joinable()) worker_.join();
  running_ = false;
  bridge_.drain();  // every event the worker emitted reaches listeners before finished()
  Q_EMIT finished(end);
}

void TrainingThread::waitForEnd() {
  if (!worker_.joinable()) return;
  worker_.join();
  running_ = false;
  bridge_.drain();
  // The queued onWorkerDone still arrives and reports finished() once.
}

}  // namespace vwb::ui
