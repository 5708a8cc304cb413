#pragma once
// Reads a run's metrics.jsonl off the GUI thread, so that the monitor shows its window at once
// and fills in as the file loads (a 1000-epoch run has ~250,000 step lines, ~60 MB). The file is
// read in slices; each slice's lines are parsed by the engine's parseMetricsLine on every core (the lines are
// independent), and the records reach the GUI thread in file order, one queued call per slice.
// Progress is in bytes. A new start() or the destructor abandons a load: its stale slices never
// arrive.
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "engine/train/MetricsJsonl.h"

namespace vwb::ui {

class MetricsLoader : public QObject {
  Q_OBJECT
 public:
  static constexpr qint64 kSliceBytes = 4 << 20;  // ~16,000 step lines per delivery

  explicit MetricsLoader(QObject* parent = nullptr);
  ~MetricsLoader() override;  // abandons a load and joins the worker

  // Starts reading `path`; false (with *error naming the file) when it cannot be opened, and
  // nothing is emitted then.
  bool start(const QString& path, QString* error = nullptr);
  void abandon();
  bool loading() const { return loading_; }
  const QString& path() const { return path_; }

 Q_SIGNALS:
  // In file order; every slice before finished().
  void recordsReady(const std::vector<vwb::MetricsRecord>& records);
  void progressChanged(qint64 bytesRead, qint64 bytesTotal);
  void finished(const QStringList& problems);  // the malformed lines, "file:line: why"

 private:
  void run(QString path, int generation);
  void join();

  std::thread worker_;
  std::atomic<int> generation_{0};
  bool loading_ = false;
  QString path_;
};

}  // namespace vwb::ui
