#include "ui/main/DatasetOpener.h"

#include <QDir>
#include <QFileInfo>
#include <memory>

#include "engine/core/Error.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"

namespace vwb::ui {

DatasetOpener::DatasetOpener(WorkbenchContext& context, QObject* parent)
    : QObject(parent), context_(context) {}

DatasetOpener::~DatasetOpener() {
  // Joins every worker (the current task and retired ones) before the members they use go.
  if (task_) task_->cancel();
  task_.reset();
  BackgroundTask::shutdownAll(this);
}

bool DatasetOpener::busy() const { return task_ && task_->running(); }

void DatasetOpener::open(const QString& root) { run(QDir(root).absolutePath(), false); }

void DatasetOpener::openDemo(const QString& demoDir) {
  context_.setDemoDir(QDir(demoDir).absolutePath());
  const QString data = QDir(demoDir).absoluteFilePath("data");
  run(data, !QFileInfo::exists(data + "/train.csv"));
}

void DatasetOpener::run(const QString& root, bool generateFirst) {
  if (busy()) return;
  // Results cross from the worker to the GUI thread through this shared slot.
  struct Result {
    Dataset dataset;
    std::optional<DatasetFingerprint> fingerprint;
  };
  auto result = std::make_shared<Result>();
  EnginePtr engine = context_.enginePtr();
  const std::string path = root.toStdString();
  auto work = [engine, path, generateFirst, result](ProgressSink& progress, const CancelToken& cancel) {
    if (generateFirst) {
      SynthOptions o;
      o.train = kDemoTrain;
      o.test = kDemoTest;
      o.size = {kDemoEdge, kDemoEdge, kDemoEdge};
      o.seed = 1;
      engine->writeSyntheticDataset(path, o, &progress);
      cancel.throwIfCancelled();
    }
    result->dataset = engine->scanDataset(path, &progress, &cancel);
    // A dataset with errors still opens (the data page lists them); only a clean one is fingerprinted.
    if (result->dataset.report.ok())
      result->fingerprint = engine->fingerprint(result->dataset, &progress, &cancel);
  };
  const QString title = generateFirst ? tr("Generating the demo dataset") : tr("Opening %1").arg(QFileInfo(root).fileName());
  BackgroundTask::retire(std::move(task_), this);  // ended; maybe inside its own signal
  task_ = std::make_unique<BackgroundTask>(title, work);
  connect(task_.get(), &BackgroundTask::finished, this, [this, root, result] {
    // A folder with no volume at all is not a dataset: say so plainly and why; nothing of it is
    // opened (no ticks, no roles, no Preprocess that would write a cache into it).
    if (result->dataset.train.empty() && result->dataset.test.empty()) {
      QString why = tr("it holds no volumes: a dataset has .tif volumes in train_images/ (with their labels in "
                       "train_labels/ and train.csv) or in test_images/.");
      if (!result->dataset.report.errors.empty())
        why += " " + tr("The scan says: %1").arg(QString::fromStdString(result->dataset.report.errors.front()));
      context_.clearDataset();
      const QString text = tr("%1 is not a dataset: %2").arg(root, why);
      Q_EMIT context_.statusMessage(text);
      Q_EMIT notADataset(root, why);
      Q_EMIT failed(text);
      return;
    }
    context_.setDataset(std::move(result->dataset), std::move(result->fingerprint));
    Settings().addRecentDataset(root);
    Q_EMIT context_.statusMessage(tr("Opened %1").arg(root));
    Q_EMIT opened(root);
  });
  connect(task_.get(), &BackgroundTask::failed, this, [this, root](const QString& message) {
    const QString text = tr("Could not open %1: %2").arg(root, message);
    Q_EMIT context_.statusMessage(text);
    Q_EMIT failed(text);
  });
  task_->start();
  Q_EMIT taskStarted(task_.get());
}

}  // namespace vwb::ui
