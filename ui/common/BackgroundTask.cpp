#include "ui/common/BackgroundTask.h"

#include <QMetaObject>
#include <exception>

namespace vwb::ui {

BackgroundTask::BackgroundTask(QString title, Work work, QObject* parent)
    : QObject(parent), title_(std::move(title)), work_(std::move(work)) {}

BackgroundTask::~BackgroundTask() {
  cancel_.cancel();
  if (worker_.joinable()) worker_.join();
}

void BackgroundTask::start() {
  if (running_ || worker_.joinable()) return;
  running_ = true;
  worker_ = std::thread([this] {
    bool ok = true;
    QString message;
    try {
      work_(*this, cancel_);
    } catch (const std::exception& e) {
      ok = false;
      message = QString::fromStdString(e.what());
    }
    QMetaObject::invokeMethod(this, [this, ok, message] { onWorkerDone(ok, message); },
                              Qt::QueuedConnection);
  });
}

void BackgroundTask::progress(const std::string& stage, int64_t done, int64_t total) {
  // Bounded: an engine that names a new stage on every call between two deliveries drops the
  // oldest undelivered readings (the display is behind them anyway), never the latest.
  constexpr size_t kMaxPending = 32;
  std::lock_guard<std::mutex> lock(mutex_);
  const bool post = pending_.empty();
  if (!pending_.empty() && pending_.back().stage == stage) {
    pending_.back() = Reading{stage, done, total};
  } else {
    if (pending_.size() >= kMaxPending) pending_.pop_front();
    pending_.push_back(Reading{stage, done, total});
  }
  if (post) QMetaObject::invokeMethod(this, &BackgroundTask::deliverProgress, Qt::QueuedConnection);
}

void BackgroundTask::deliverProgress() {
  std::deque<Reading> readings;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    readings.swap(pending_);
  }
  for (const Reading& r : readings) Q_EMIT progressChanged(QString::fromStdString(r.stage), r.done, r.total);
}

void BackgroundTask::onWorkerDone(bool ok, QString message) {
  if (!running_) return;
  if (worker_.joinable()) worker_.join();
  running_ = false;
  if (ok)
    Q_EMIT finished();
  else
    Q_EMIT failed(message);
}

void BackgroundTask::retire(std::unique_ptr<BackgroundTask> task, QObject* owner) {
  if (!task) return;
  BackgroundTask* t = task.release();
  t->cancel();
  QObject::disconnect(t, nullptr, nullptr, nullptr);
  t->setParent(owner);
  if (!t->running_) {
    t->deleteLater();
    return;
  }
  QObject::connect(t, &BackgroundTask::finished, t, &QObject::deleteLater);
  QObject::connect(t, &BackgroundTask::failed, t, &QObject::deleteLater);
}

void BackgroundTask::shutdownAll(QObject* owner) {
  const auto tasks = owner->findChildren<BackgroundTask*>(Qt::FindDirectChildrenOnly);
  for (BackgroundTask* t : tasks) t->cancel();  // all stop at once, then each is joined
  for (BackgroundTask* t : tasks) delete t;
}

void BackgroundTask::waitForEnd() {
  if (worker_.joinable()) worker_.join();
}

}  // namespace vwb::ui
