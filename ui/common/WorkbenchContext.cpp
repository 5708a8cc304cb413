#include "ui/common/WorkbenchContext.h"

#include <QFileInfo>

#include "ui/common/Settings.h"

namespace vwb::ui {

WorkbenchContext::WorkbenchContext(EnginePtr engine, QObject* parent)
    : QObject(parent), engine_(std::move(engine)) {}

void WorkbenchContext::setDataset(Dataset dataset, std::optional<DatasetFingerprint> fingerprint) {
  dataset_ = std::move(dataset);
  fingerprint_ = std::move(fingerprint);
  Q_EMIT datasetChanged();
}

void WorkbenchContext::clearDataset() {
  dataset_.reset();
  fingerprint_.reset();
  Q_EMIT datasetChanged();
}

void WorkbenchContext::setRunDir(const QString& dir) {
  if (dir == runDir_) return;
  runDir_ = dir;
  Q_EMIT runDirChanged(dir);
}

bool WorkbenchContext::demoDatasetOpen() const {
  if (!hasDataset() || demoDir_.isEmpty()) return false;
  const QString demoData = QFileInfo(demoDir_ + "/data").canonicalFilePath();
  return !demoData.isEmpty() && QFileInfo(QString::fromStdString(dataset_->root)).canonicalFilePath() == demoData;
}

QString WorkbenchContext::newRunsRoot() const {
  return demoDatasetOpen() ? demoDir_ + "/runs" : Settings().runsRoot();
}

}  // namespace vwb::ui
