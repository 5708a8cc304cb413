#pragma once
// vesuvius-workbench's command line.
#include <QString>
#include <QStringList>

struct WorkbenchOptions {
  bool demo = false;        // open the demo dataset (generated on first use)
  QString demoDir;          // its home: DIR/data, DIR/runs
  QString dataset;          // open this dataset folder
  QString run;              // open this run directory in the monitor
  QStringList compare;      // overlay these runs' curves in the monitor
  QString page;             // data|wizard|monitor|... (whatever pages the window has)
  QString wizardStep;       // data|hardware|strategy|settings|review
  QString assumeGpus;       // what-if hardware for the wizard ("2x16GB")
  bool start = false;       // start training with the wizard's plan once the dataset is open
  bool tune = false;        // press the predictions page's Tune once the run's predictions are scored
  int epochs = 0;           // > 0: planner constraint
  int steps = 0;            // > 0: steps per epoch
  int patch = 0;            // > 0: planner constraint (patch edge)
  int levels = 0;           // > 0: UNet levels (a small model for quick demos)
  QString screenshot;       // render once populated (and any started run ended), save PNG, exit
  int screenshotTimeoutSec = 180;
  bool screenshotPalette = false;  // 256 colours, ordered dither: small PNGs for the README
};

QString defaultDemoDir();

// Parses QApplication::arguments(); prints help/errors and exits like any CLI on bad input.
WorkbenchOptions parseWorkbenchOptions(const QStringList& arguments);
