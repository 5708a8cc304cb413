// vesuvius-workbench: the desktop workbench. Pages are assembled here; a new page is one
// window.addPage(...) line (the viewer and predictions pages go below the core ones).
#include <QApplication>
#include <QIcon>

#include "StartupDriver.h"
#include "WorkbenchOptions.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/MainWindow.h"

namespace {
void nameTheApplication() {
  QCoreApplication::setOrganizationName("vesuvius-workbench");
  QCoreApplication::setApplicationName("vesuvius-workbench");
  QCoreApplication::setApplicationVersion(VWB_VERSION);
}

// --help and --version print and exit without a display: they are answered under a
// QCoreApplication, before QApplication would connect to the X server (and fail without one).
bool asksForHelpOrVersion(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const QByteArray a(argv[i]);
    if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version" || a == "-?") return true;
  }
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  if (asksForHelpOrVersion(argc, argv)) {
    QCoreApplication core(argc, argv);
    nameTheApplication();
    parseWorkbenchOptions(QCoreApplication::arguments());  // prints and exits
    return 0;
  }
  QApplication app(argc, argv);
  nameTheApplication();
  QApplication::setApplicationDisplayName("Vesuvius Workbench");
  const WorkbenchOptions options = parseWorkbenchOptions(QApplication::arguments());

  vwb::ui::WorkbenchContext context(vwb::ui::makeRealEngine());
  vwb::ui::MainWindow window(context);
  // More pages: window.addPage("viewer", QObject::tr("Viewer"), new ViewerPage(context));

  StartupDriver driver(window, options);
  window.show();
  driver.start();
  return QApplication::exec();
}
