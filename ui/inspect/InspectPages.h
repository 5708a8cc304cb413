#pragma once
// Adds the inspection pages to a window that hosts pages: "viewer", and (when the build has
// the metrics, infer and export modules) "predictions" and "export". Double-clicking a volume
// on the predictions page shows it in the viewer. The host is passed as two functions so that
// this library does not depend on the main window's.
#include <QIcon>
#include <QString>
#include <functional>

class QWidget;

namespace vwb::ui {
class WorkbenchContext;
}

namespace vwb::inspect {

struct PageHost {
  std::function<void(const QString& id, const QString& title, QWidget* page, const QIcon& icon)> addPage;
  std::function<bool(const QString& id)> showPage;
};

void addInspectPages(ui::WorkbenchContext& context, const PageHost& host);

}  // namespace vwb::inspect
