#include "ui/common/WorkbenchContext.h"

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

}  // namespace vwb::ui
