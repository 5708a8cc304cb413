// vesuvius-workbench: the desktop workbench. Pages are assembled here; a new page is one
// window.addPage(...) line (the viewer and predictions pages go below the core ones).
#include <QApplication>
#include <QIcon>

#include "StartupDriver.h"
#include "WorkbenchOptions.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/MainWindow.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("vesuvius-workbench");
  QApplication::setApplicationName("vesuvius-workbench");
  QApplication::setApplicationDisplayName("Vesuvius Workbench");
  QApplication::setApplicationVersion(VWB_VERSION);
  const WorkbenchOptions options = parseWorkbenchOptions(QApplication::arguments());

  vwb::ui::WorkbenchContext context(vwb::ui::makeRealEngine());
  vwb::ui::MainWindow window(context);
  // More pages: window.addPage("viewer", QObject::tr("Viewer"), new ViewerPage(context));

  StartupDriver driver(window, options);
  window.show();
  driver.start();
  return QApplication::exec();
}
