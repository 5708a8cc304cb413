#pragma once
// What the workbench remembers between sessions (QSettings): recent datasets and runs, the
// window geometry, and the last choices made in the wizard.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace vwb::ui {

class Settings {
 public:
  static constexpr int kMaxRecent = 8;

  Settings();  // the application's QSettings (organization/application names set in main)

  QStringList recentDatasets() const { return list("recent/datasets"); }
  QStringList recentRuns() const { return list("recent/runs"); }
  void addRecentDataset(const QString& path) { pushFront("recent/datasets", path); }
  void addRecentRun(const QString& path) { pushFront("recent/runs", path); }

  QByteArray windowGeometry() const { return s_.value("window/geometry").toByteArray(); }
  void setWindowGeometry(const QByteArray& g) { s_.setValue("window/geometry", g); }

  // Last choices: "wizard/epochs", "wizard/assumeGpus", ... (name without prefix).
  QVariant lastChoice(const QString& name, const QVariant& fallback = {}) const {
    return s_.value("choices/" + name, fallback);
  }
  void setLastChoice(const QString& name, const QVariant& v) { s_.setValue("choices/" + name, v); }

  QString runsRoot() const;  // where new runs go by default
  void sync() { s_.sync(); }

 private:
  QStringList list(const QString& key) const { return s_.value(key).toStringList(); }
  void pushFront(const QString& key, const QString& path);

  mutable QSettings s_;
};

}  // namespace vwb::ui
