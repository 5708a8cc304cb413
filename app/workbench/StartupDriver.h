#pragma once
// Carries out the command line once the window exists: opens the demo/dataset/run, walks the
// wizard to the requested step, shows the requested page, and for --screenshot waits until
// everything is populated (no background work left), grabs the window and quits.
#include <QObject>
#include <QTimer>

#include "WorkbenchOptions.h"

namespace vwb::ui {
class MainWindow;
}

class StartupDriver : public QObject {
  Q_OBJECT
 public:
  StartupDriver(vwb::ui::MainWindow& window, WorkbenchOptions options);
  void start();

 private:
  void afterDatasetOpened();
  void showRequestedPage();
  void pollForScreenshot();
  bool pressTune();  // --tune: once everything is populated; true when it was pressed now
  bool populated() const;
  void takeScreenshot();

  vwb::ui::MainWindow& window_;
  WorkbenchOptions options_;
  QTimer poll_;
  int quietPolls_ = 0;
  int elapsedMs_ = 0;
  bool datasetPending_ = false;
  bool tunePressed_ = false;
};
