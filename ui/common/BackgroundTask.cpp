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
  std::lock_guard<std::mutex> lock(mutex_);
  stage_ = stage;
  done_ = done;
  total_ = total;
  if (progressPosted_) return;
  progressPosted_ = true;
  QMetaObject::invokeMethod(this, &BackgroundTask::deliverProgress, Qt::QueuedConnection);
}

void BackgroundTask::deliverProgress() {
  QString stage;
  int64_t done, total;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stage = QString::fromStdString(stage_);
    done = done_;
    total = total_;
    progressPosted_ = false;
  }
  Q_EMIT progressChanged(stage, done, total);
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
