#pragma once
// The state every page shares: the engine, the open dataset with its fingerprint, the current
// run directory. Pages read it and listen to its signals; reactions (ui/main) change it.
// Pages added later (viewer, predictions) take the same context.
#include <QObject>
#include <QString>
#include <optional>

#include "engine/data/Dataset.h"
#include "engine/data/Fingerprint.h"
#include "ui/common/Engine.h"

namespace vwb::ui {

class WorkbenchContext : public QObject {
  Q_OBJECT
 public:
  explicit WorkbenchContext(EnginePtr engine, QObject* parent = nullptr);

  Engine& engine() { return *engine_; }
  const EnginePtr& enginePtr() const { return engine_; }

  bool hasDataset() const { return dataset_.has_value(); }
  const Dataset& dataset() const { return *dataset_; }
  const std::optional<DatasetFingerprint>& fingerprint() const { return fingerprint_; }
  void setDataset(Dataset dataset, std::optional<DatasetFingerprint> fingerprint);
  void clearDataset();  // no dataset open (e.g. the folder opened was not one)

  const QString& runDir() const { return runDir_; }
  void setRunDir(const QString& dir);

  // The demo's home (--demo-dir): data/ holds the synthetic dataset, runs/ the demo's runs.
  const QString& demoDir() const { return demoDir_; }
  void setDemoDir(const QString& dir) { demoDir_ = dir; }
  // True while the open dataset is the demo's (DEMO/data, links resolved).
  bool demoDatasetOpen() const;
  // Where a new run of the open dataset goes: DEMO/runs for the demo's dataset, the settings'
  // runs root (Preferences) for any other.
  QString newRunsRoot() const;

 Q_SIGNALS:
  void datasetChanged();
  void runDirChanged(const QString& dir);
  // A page or reaction wants the main window to show a page ("data", "wizard", ...).
  void pageRequested(const QString& id);
  // Status line text for the main window's status bar.
  void statusMessage(const QString& text);

 private:
  EnginePtr engine_;
  std::optional<Dataset> dataset_;
  std::optional<DatasetFingerprint> fingerprint_;
  QString runDir_;
  QString demoDir_;
};

}  // namespace vwb::ui
