#pragma once
// Opens a dataset without freezing the window: scanning and the fingerprint run in a
// BackgroundTask; the demo dataset is generated first when it is not there yet. On success the
// dataset goes into the WorkbenchContext and the recent list.
#include <QObject>
#include <QString>
#include <memory>

#include "ui/common/BackgroundTask.h"

namespace vwb::ui {
class WorkbenchContext;

class DatasetOpener : public QObject {
  Q_OBJECT
 public:
  explicit DatasetOpener(WorkbenchContext& context, QObject* parent = nullptr);
  ~DatasetOpener() override;

  void open(const QString& root);
  // Opens <demoDir>/data, generating the synthetic dataset there on first use.
  void openDemo(const QString& demoDir);
  bool busy() const;
  BackgroundTask* task() const { return task_.get(); }

  // The demo dataset's size: the same as packaging/demo's `vwb synth` call.
  static constexpr int kDemoTrain = 6, kDemoTest = 2, kDemoEdge = 96;

 Q_SIGNALS:
  void taskStarted(vwb::ui::BackgroundTask* task);
  void opened(const QString& root);
  void failed(const QString& message);
  void notADataset(const QString& root, const QString& why);  // before failed(); no dataset is open then

 private:
  void run(const QString& root, bool generateFirst);

  WorkbenchContext& context_;
  std::unique_ptr<BackgroundTask> task_;
};

}  // namespace vwb::ui
