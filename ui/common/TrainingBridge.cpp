#include "ui/common/TrainingBridge.h"

#include <QMetaObject>

namespace vwb::ui {

TrainingBridge::TrainingBridge(QObject* parent) : QObject(parent) {}

void TrainingBridge::log(LogLevel level, const std::string& message) {
  push(LogEvent{level, message});
}
void TrainingBridge::onRunStart(const RunStartEvent& e) { push(e); }
void TrainingBridge::onStep(const StepEvent& e) { push(e); }
void TrainingBridge::onEpoch(const EpochEvent& e) { push(e); }
void TrainingBridge::onCheckpoint(const std::string& path) { push(CheckpointEvent{path}); }
void TrainingBridge::onRunEnd(const RunEndEvent& e) { push(e); }

void TrainingBridge::push(Item item) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.push_back(std::move(item));
  if (drainPosted_) return;  // one notification per batch, however many events arrive
  drainPosted_ = true;
  QMetaObject::invokeMethod(this, &TrainingBridge::drain, Qt::QueuedConnection);
}

namespace {
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;
}  // namespace

void TrainingBridge::drain() {
  std::vector<Item> items;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items.swap(pending_);
    drainPosted_ = false;
  }
  if (items.empty()) return;
  ++drains_;
  for (const Item& item : items) {
    std::visit(Overloaded{
                   [this](const RunStartEvent& e) { Q_EMIT runStarted(e); },
                   [this](const StepEvent& e) { Q_EMIT stepReceived(e); },
                   [this](const EpochEvent& e) { Q_EMIT epochReceived(e); },
                   [this](const CheckpointEvent& e) {
                     Q_EMIT checkpointWritten(QString::fromStdString(e.path));
                   },
                   [this](const RunEndEvent& e) { Q_EMIT runEnded(e); },
                   [this](const LogEvent& e) {
                     Q_EMIT logLine(static_cast<int>(e.level), QString::fromStdString(e.message));
                   },
               },
               item);
  }
  Q_EMIT batchDelivered();
}

}  // namespace vwb::ui
