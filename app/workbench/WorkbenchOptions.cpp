#include "WorkbenchOptions.h"

#include <QCommandLineParser>
#include <QStandardPaths>
#include <QTextStream>

#include <cstdlib>
#include <type_traits>

// One demo for the workbench, packaging/demo and the README: $VWB_DEMO_DIR, else
// ~/.local/share/vesuvius-workbench/demo (XDG data home), so a demo made by one is found by the other.
QString defaultDemoDir() {
  const QString env = qEnvironmentVariable("VWB_DEMO_DIR");
  if (!env.isEmpty()) return env;
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/vesuvius-workbench/demo";
}

WorkbenchOptions parseWorkbenchOptions(const QStringList& arguments) {
  QCommandLineParser p;
  p.setApplicationDescription("Vesuvius Workbench: train 3D surface segmentation on scroll CT.");
  p.addHelpOption();
  p.addVersionOption();
  const QCommandLineOption demo("demo", "Open the demo dataset (generated in --demo-dir on first use).");
  const QCommandLineOption demoDir("demo-dir", "Home of the demo: DIR/data and DIR/runs (default $VWB_DEMO_DIR or ~/.local/share/vesuvius-workbench/demo).", "DIR");
  const QCommandLineOption dataset("dataset", "Open this dataset folder.", "DIR");
  const QCommandLineOption run("run", "Open this run directory in the monitor.", "DIR");
  const QCommandLineOption compare("compare", "Overlay this run's curves in the monitor (repeatable).", "DIR");
  const QCommandLineOption page("page", "Show this page: data, wizard, monitor, viewer, predictions, export.", "PAGE");
  const QCommandLineOption step("wizard-step", "Advance the wizard to data|hardware|strategy|settings|review.", "STEP");
  const QCommandLineOption assume("assume-gpus", "Plan for other hardware in the wizard, e.g. 2x16GB.", "SPEC");
  const QCommandLineOption start("start", "Start training with the planner's plan once the dataset is open.");
  const QCommandLineOption tune("tune", "Press Tune on the predictions page once the run's saved predictions are scored "
                                        "(with --screenshot: the picture shows the tuning's result).");
  const QCommandLineOption epochs("epochs", "Epochs for the wizard's plan.", "N");
  const QCommandLineOption steps("steps", "Steps per epoch for the wizard's plan.", "N");
  const QCommandLineOption patch("patch", "Patch edge for the wizard's plan.", "N");
  const QCommandLineOption levels("levels", "UNet levels for the wizard's plan.", "N");
  const QCommandLineOption strategy("strategy", "Strategy for the wizard's plan: auto, single, ddp or dp (as the Strategy page).", "KIND");
  const QCommandLineOption devices("devices", "Devices for the wizard's plan: cpu, cpu:N (N CPU ranks) or cuda:0,cuda:1 (repeatable).", "LIST");
  const QCommandLineOption batch("batch", "Micro-batch per device for the wizard's plan.", "N");
  const QCommandLineOption amp("amp", "Mixed precision for the wizard's plan: auto, off, fp16 or bf16.", "MODE");
  const QCommandLineOption workers("workers", "Batch-producing threads for the wizard's plan.", "N");
  const QCommandLineOption prefetch("prefetch", "Ready batches kept in the queue.", "N");
  const QCommandLineOption baseChannels("base-channels", "Channels of the UNet's first level.", "N");
  const QCommandLineOption valFraction("val-fraction", "Share of the labelled volumes held out for validation.", "F");
  const QCommandLineOption seed("seed", "Seed of the split, sampling and weights.", "N");
  const QCommandLineOption out("out", "Run folder for --start (default: a new folder under the runs root).", "DIR");
  const QCommandLineOption shot("screenshot", "Render the window once populated, save a PNG, exit.", "FILE");
  const QCommandLineOption timeout("screenshot-timeout", "Give up on --screenshot after SEC seconds.", "SEC", "180");
  const QCommandLineOption palette("screenshot-palette",
                                   "Save --screenshot with 256 colours, ordered dither (about a quarter of the size; for README pictures).");
  p.addOptions({demo, demoDir, dataset, run, compare, page, step, assume, start, tune, epochs, steps, patch, levels,
                strategy, devices, batch, amp, workers, prefetch, baseChannels, valFraction, seed, out, shot, timeout,
                palette});
  p.process(arguments);

  WorkbenchOptions o;
  o.demo = p.isSet(demo);
  o.demoDir = p.isSet(demoDir) ? p.value(demoDir) : defaultDemoDir();
  o.dataset = p.value(dataset);
  o.run = p.value(run);
  o.compare = p.values(compare);
  o.page = p.value(page);
  o.wizardStep = p.value(step);
  o.assumeGpus = p.value(assume);
  o.start = p.isSet(start);
  o.tune = p.isSet(tune);
  o.epochs = p.value(epochs).toInt();
  o.steps = p.value(steps).toInt();
  o.patch = p.value(patch).toInt();
  o.levels = p.value(levels).toInt();
  o.strategy = p.value(strategy);
  for (const QString& v : p.values(devices))
    for (const QString& d : v.split(',', Qt::SkipEmptyParts)) o.devices << d.trimmed();
  // A number option that does not read as one is an error, not a silent 0.
  auto number = [&p](const QCommandLineOption& option, auto fallback) {
    if (!p.isSet(option)) return fallback;
    bool ok = false;
    const QString text = p.value(option);
    decltype(fallback) v{};
    if constexpr (std::is_floating_point_v<decltype(fallback)>) v = text.toDouble(&ok);
    else v = decltype(fallback)(text.toLongLong(&ok));
    if (!ok) {
      QTextStream(stderr) << "vesuvius-workbench: --" << option.names().front() << " '" << text << "': not a number\n";
      std::exit(2);
    }
    return v;
  };
  o.batch = number(batch, 0);
  o.amp = p.value(amp);
  o.workers = number(workers, -1);
  o.prefetch = number(prefetch, 0);
  o.baseChannels = number(baseChannels, 0);
  o.valFraction = number(valFraction, -1.0);
  o.seed = number(seed, qlonglong(-1));
  o.out = p.value(out);
  o.screenshot = p.value(shot);
  o.screenshotTimeoutSec = p.value(timeout).toInt();
  o.screenshotPalette = p.isSet(palette);
  if (!o.page.isEmpty() && o.page == "wizard" && o.wizardStep.isEmpty() && !o.assumeGpus.isEmpty())
    o.wizardStep = "strategy";
  return o;
}
