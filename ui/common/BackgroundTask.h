#pragma once
// A long engine operation (scanning a dataset, loading volumes, generating the demo data, the
// probe) on a worker thread, with progress and cancel. The work gets a ProgressSink and a
// CancelToken; progress reaches the GUI thread coalesced (within a stage the latest value wins),
// so a chatty engine loop cannot flood the event queue, yet a stage's last reading (its 100 %)
// is always shown before the next stage's. finished()/failed() fire on the GUI thread.
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <deque>

#include "engine/core/Reporting.h"

namespace vwb::ui {

class BackgroundTask : public QObject, private ProgressSink {
  Q_OBJECT
 public:
  using Work = std::function<void(ProgressSink&, const CancelToken&)>;

  BackgroundTask(QString title, Work work, QObject* parent = nullptr);
  ~BackgroundTask() override;  // cancels and joins

  // A task that is no longer wanted (a new one replaces it) finishes on its own: it is
  // cancelled, cut off from every receiver (no stale result reaches a page), deleted once its
  // worker has returned, and a child of owner, whose destructor joins it at the latest
  // (shutdownAll). Never blocks the GUI thread.
  static void retire(std::unique_ptr<BackgroundTask> task, QObject* owner);
  // Cancels every task owned by owner (retired ones included) and joins their workers: for an
  // owner's destructor, before anything its tasks use is destroyed.
  static void shutdownAll(QObject* owner);

  const QString& title() const { return title_; }
  void start();
  void cancel() { cancel_.cancel(); }
  bool cancelled() const { return cancel_.cancelled(); }
  bool running() const { return running_; }
  void waitForEnd();  // blocks until the worker returned (tests, shutdown)

 Q_SIGNALS:
  void progressChanged(const QString& stage, qint64 done, qint64 total);
  void finished();                        // the work returned normally
  void failed(const QString& message);    // it threw (vwb::Cancelled -> "cancelled")

 private:
  void progress(const std::string& stage, int64_t done, int64_t total) override;
  void deliverProgress();
  void onWorkerDone(bool ok, QString message);

  QString title_;
  Work work_;
  CancelToken cancel_;
  std::thread worker_;
  bool running_ = false;

  struct Reading {
    std::string stage;
    int64_t done = 0, total = 0;
  };
  std::mutex mutex_;
  std::deque<Reading> pending_;   // not yet delivered: one per stage, in order; posted when non-empty
};

}  // namespace vwb::ui
