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
  // The settings page's other fields, as vwb train names them (empty / 0 / < 0: the plan's).
  QString strategy;         // auto|single|ddp|dp
  QStringList devices;      // cpu, cpu:N, cuda:0 cuda:1 ... (comma-separated or repeated)
  int batch = 0;            // micro-batch per device
  QString amp;              // auto|off|fp16|bf16
  int workers = -1, prefetch = 0, baseChannels = 0;
  double valFraction = -1;
  qlonglong seed = -1;
  QString out;              // the run folder (default: a new one under the runs root)
  QString screenshot;       // render once populated (and any started run ended), save PNG, exit
  int screenshotTimeoutSec = 180;
  bool screenshotPalette = false;  // 256 colours, ordered dither: small PNGs for the README
};

QString defaultDemoDir();

// Parses QApplication::arguments(); prints help/errors and exits like any CLI on bad input.
WorkbenchOptions parseWorkbenchOptions(const QStringList& arguments);
