#pragma once
// The Data page's chunk-cache line: "N of M volumes cached (X GiB on disk at PATH)" or "no cache
// yet", and Preprocess (the engine's vwb preprocess) as a background task with a progress bar, an
// ETA and Cancel. A cancel stops between volumes, so the volumes done stay cached; the cache's
// state is read again whenever preprocessing ends. Both tasks run on workers that touch no widget.
#include <QElapsedTimer>
#include <QWidget>
#include <memory>
#include <optional>

#include "ui/common/Engine.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace vwb::ui {
class BackgroundTask;
class ElidedLabel;
class WorkbenchContext;

QString volumeCount(int64_t n);  // "1 volume", "786 volumes"

class CachePanel : public QWidget {
  Q_OBJECT
 public:
  explicit CachePanel(WorkbenchContext& context, QWidget* parent = nullptr);
  ~CachePanel() override;  // cancels its tasks and joins their workers

  void showDataset();         // a dataset was opened: stops the old one's preprocessing, reads the state
  void refresh();             // reads the open dataset's cache state in the background
  void startPreprocessing();  // what the Preprocess button does
  void cancelPreprocessing();

  bool reading() const;        // the cache's state is being read
  bool preprocessing() const;
  const std::optional<DatasetCacheStatus>& status() const { return status_; }
  int cachedCount() const;

  ElidedLabel* summary() const { return summary_; }
  QLabel* message() const { return message_; }
  QPushButton* preprocessButton() const { return preprocess_; }
  QToolButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return bar_; }
  QLabel* etaLabel() const { return eta_; }
  BackgroundTask* preprocessTask() const { return preprocessTask_.get(); }

 Q_SIGNALS:
  void statusRead();  // status() holds the state just read
  void preprocessingStarted();
  void preprocessingEnded();

 private:
  void showStatus();
  void showProgress(qint64 done, qint64 total);
  void endPreprocessing(const QString& message);

  WorkbenchContext& context_;
  ElidedLabel* summary_;
  QLabel* message_;
  QPushButton* preprocess_;
  QProgressBar* bar_;
  QLabel* eta_;
  QToolButton* cancel_;
  std::unique_ptr<BackgroundTask> statusTask_, preprocessTask_;
  std::optional<DatasetCacheStatus> status_;
  static constexpr int kLiveRefreshMs = 2000;
  QElapsedTimer clock_;     // from the first progress report: the ETA leaves out the freshness check
  QElapsedTimer lastRead_;  // since the cache's state was last read
};

}  // namespace vwb::ui
