#include "ui/common/Settings.h"

#include <QDir>
#include <QStandardPaths>

namespace vwb::ui {

Settings::Settings() = default;

void Settings::pushFront(const QString& key, const QString& path) {
  QString clean = QDir::cleanPath(QDir(path).absolutePath());
  QStringList items = list(key);
  items.removeAll(clean);
  items.prepend(clean);
  while (items.size() > kMaxRecent) items.removeLast();
  s_.setValue(key, items);
}

QString Settings::runsRoot() const {
  // Beside the demo (~/.local/share/vesuvius-workbench/demo): one folder for the workbench's data.
  QString fallback =
      QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/vesuvius-workbench/runs";
  return s_.value("paths/runsRoot", fallback).toString();
}

}  // namespace vwb::ui
