#pragma once
// Writing submission.zip through the engine's exporter. "Check" validates the run's test masks
// against the test images (every test id, its expected and actual shape, the dtype) and lists
// every problem; "Write" is refused until the check passes, runs on a worker with progress and
// cancel, and then shows where the zip is and how big it is.
#include <memory>

#include <QDialog>
#include <QPointer>
#include <QWidget>

#include "engine/export/SubmissionWriter.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace vwb::ui {
class BackgroundTask;
class WorkbenchContext;
}  // namespace vwb::ui

namespace vwb::inspect {

class ExportPanel : public QWidget {
  Q_OBJECT
  Q_PROPERTY(bool busy READ busy)

 public:
  explicit ExportPanel(ui::WorkbenchContext& context, QWidget* parent = nullptr);
  ~ExportPanel() override;

  // Fills the folders from the context: RUN/predictions, DATASET/test_images,
  // DATASET/test.csv, RUN/submission.zip.
  void resetPaths();
  void setPaths(const QString& maskDir, const QString& testImages, const QString& csv, const QString& zip);

  void check();         // validates on a worker; checked() follows
  void writeZip();      // refused (problems listed) unless the last check passed
  bool busy() const;
  void cancel();
  void openKaggleKit();  // "Export for a Kaggle notebook…" on the inspected run (KaggleKitDialog)
  QPushButton* kaggleButton() const { return kaggleButton_; }
  QDialog* kaggleDialog() const { return kaggleDialog_; }  // the one open, if any

  const SubmissionCheck& lastCheck() const { return check_; }
  bool checkPassed() const { return checked_ && check_.ok(); }
  QTableWidget* entriesTable() const { return entries_; }
  QListWidget* problemsList() const { return problems_; }
  QLabel* resultLabel() const { return result_; }
  QLabel* postProcessLabel() const { return postProcess_; }

 Q_SIGNALS:
  void checked(bool ok);
  void written(const QString& zipPath, qint64 bytes);
  void writeFailed(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;  // checks right away: the list is the first thing to see

 private:
  void runTask(const QString& title, std::function<void(ProgressSink&, const CancelToken&)> work,
               std::function<void()> done, std::function<void(const QString&)> failed);
  void showCheck();
  void setBusy(bool busy);

  ui::WorkbenchContext& context_;
  SubmissionCheck check_;
  SubmissionCheck pending_;
  std::vector<QString> dtypes_, pendingDtypes_;
  bool checked_ = false;
  int64_t writtenBytes_ = 0;
  std::unique_ptr<ui::BackgroundTask> task_;

  QLineEdit* maskDir_ = nullptr;
  QLineEdit* testImages_ = nullptr;
  QLineEdit* csv_ = nullptr;
  QLineEdit* zip_ = nullptr;
  QPushButton* checkButton_ = nullptr;
  QPushButton* writeButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QPushButton* kaggleButton_ = nullptr;
  QPointer<QDialog> kaggleDialog_;
  QTableWidget* entries_ = nullptr;
  QListWidget* problems_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* result_ = nullptr;
  QLabel* postProcess_ = nullptr;  // which post-processing the masks carry
};

}  // namespace vwb::inspect
