#include "StartupDriver.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QTextStream>

#include "ui/common/WorkbenchContext.h"
#include "ui/main/DataPage.h"
#include "ui/main/DatasetOpener.h"
#include "ui/main/MainWindow.h"
#include "ui/main/TaskProgressWidget.h"
#include "ui/common/BackgroundTask.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/wizard/HardwarePage.h"
#include "ui/wizard/SetupWizard.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
void fail(const QString& message) {
  QTextStream(stderr) << "vesuvius-workbench: error: " << message << "\n";
  QApplication::exit(1);
}
}  // namespace

StartupDriver::StartupDriver(MainWindow& window, WorkbenchOptions options)
    : QObject(&window), window_(window), options_(std::move(options)) {}

void StartupDriver::start() {
  window_.context().setDemoDir(options_.demoDir);
  if (!options_.page.isEmpty() && !window_.pageIds().contains(options_.page)) {
    fail(QString("unknown page '%1' (pages: %2)").arg(options_.page, window_.pageIds().join(", ")));
    return;
  }
  DatasetOpener* opener = window_.opener();
  connect(opener, &DatasetOpener::opened, this, &StartupDriver::afterDatasetOpened);
  connect(opener, &DatasetOpener::failed, this, [this](const QString& message) {
    datasetPending_ = false;
    if (!options_.screenshot.isEmpty()) fail(message);
  });
  if (options_.demo || !options_.dataset.isEmpty()) {
    datasetPending_ = true;
    if (!options_.dataset.isEmpty()) opener->open(options_.dataset);
    else opener->openDemo(options_.demoDir);
  }
  if (!options_.run.isEmpty()) window_.openRun(options_.run);
  for (const QString& dir : options_.compare) window_.monitor()->compareRun(dir);
  const bool plainStart = options_.run.isEmpty() && options_.dataset.isEmpty() && !options_.demo && options_.screenshot.isEmpty();
  if (plainStart) window_.offerInterruptedRun();
  showRequestedPage();
  if (!options_.screenshot.isEmpty() || options_.tune) {
    poll_.setInterval(100);
    connect(&poll_, &QTimer::timeout, this, &StartupDriver::pollForScreenshot);
    poll_.start();
  }
}

void StartupDriver::afterDatasetOpened() {
  datasetPending_ = false;
  SetupWizard* wizard = window_.wizard();
  static const QStringList steps = {"data", "hardware", "strategy", "settings", "review"};
  const int target = steps.indexOf(options_.wizardStep);
  if (!options_.wizardStep.isEmpty() && target < 0) {
    fail(QString("unknown wizard step '%1' (steps: %2)").arg(options_.wizardStep, steps.join(", ")));
    return;
  }
  if (options_.epochs > 0) wizard->constraints().epochs = options_.epochs;
  if (options_.steps > 0) wizard->overrides().stepsPerEpoch = options_.steps;
  if (options_.patch > 0) wizard->constraints().patch = options_.patch;
  if (options_.levels > 0) wizard->constraints().model.levels = options_.levels;
  // The settings page's fields, as a person would set them on pages 3 and 4 (the engine's own
  // names, so a bad value is refused with the engine's message).
  try {
    UserConstraints& c = wizard->constraints();
    UserOverrides& o = wizard->overrides();
    if (!options_.strategy.isEmpty()) {
      const StrategyKind kind = parseStrategy(options_.strategy.toStdString());
      if (kind == StrategyKind::Auto) c.strategy.reset();
      else c.strategy = kind;
    }
    for (const QString& d : options_.devices) c.devices.push_back(d.toStdString());
    if (options_.batch > 0) c.batchPerDevice = options_.batch;
    if (!options_.amp.isEmpty()) c.amp = parseAmp(options_.amp.toStdString());
    if (options_.baseChannels > 0) c.model.baseChannels = options_.baseChannels;
    if (options_.workers >= 0) o.workers = options_.workers;
    if (options_.prefetch > 0) o.prefetch = options_.prefetch;
    if (options_.valFraction >= 0) o.valFraction = options_.valFraction;
    if (options_.seed >= 0) o.seed = uint64_t(options_.seed);
  } catch (const std::exception& e) {
    fail(QString::fromStdString(e.what()));
    return;
  }
  if (!options_.out.isEmpty()) wizard->setRunDir(QFileInfo(options_.out).absoluteFilePath());
  wizard->replan();
  if (!wizard->hasPlan() && options_.start) {
    fail("the wizard has no plan: " + wizard->planError());
    return;
  }
  if (options_.start) {
    if (!wizard->startRun()) {
      fail("--start: " + wizard->startBlocker());
      return;
    }
    showRequestedPage();
    return;
  }
  for (int i = 0; i < target; ++i) {
    wizard->next();
    if (wizard->currentId() == SetupWizard::HardwarePageId && !options_.assumeGpus.isEmpty()) {
      wizard->hardwarePage()->specEdit()->setText(options_.assumeGpus);
      wizard->hardwarePage()->whatIfBox()->setChecked(true);
    }
  }
  showRequestedPage();
}

void StartupDriver::showRequestedPage() {
  if (!options_.page.isEmpty()) window_.showPage(options_.page);
}

bool StartupDriver::populated() const {
  if (datasetPending_ || window_.opener()->busy()) return false;
  // Pages that load in the background (viewer, predictions) say so through a "busy" property.
  if (const QWidget* page = window_.page(window_.currentPageId()); page && page->property("busy").toBool()) return false;
  if (window_.dataPage()->loading()) return false;  // cache state, label fractions
  // --start: the picture shows the whole run; --run: its whole metrics.jsonl, loaded in the background.
  return !window_.monitor()->isTraining() && !window_.monitor()->loading();
}

void StartupDriver::pollForScreenshot() {
  elapsedMs_ += poll_.interval();
  if (elapsedMs_ > options_.screenshotTimeoutSec * 1000) {
    poll_.stop();
    fail("--screenshot: the window was not populated within the timeout");
    return;
  }
  // Populated for a few polls in a row: layouts settled and queued replots painted.
  quietPolls_ = populated() ? quietPolls_ + 1 : 0;
  if (quietPolls_ >= 5 && pressTune()) {
    quietPolls_ = 0;  // the tuning runs now; the picture waits for its result
    if (options_.screenshot.isEmpty()) poll_.stop();
    return;
  }
  if (options_.screenshot.isEmpty()) return;
  if (quietPolls_ >= 5) {
    poll_.stop();
    takeScreenshot();
  }
}

bool StartupDriver::pressTune() {
  if (!options_.tune || tunePressed_) return false;
  tunePressed_ = true;
  QWidget* page = window_.page("predictions");
  QPushButton* tune = page ? page->findChild<QPushButton*>("tune") : nullptr;
  if (!tune) {
    fail("--tune: this build has no predictions page");
    return false;
  }
  window_.showPage("predictions");
  tune->click();
  return true;
}

void StartupDriver::takeScreenshot() {
  const QString path = QFileInfo(options_.screenshot).absoluteFilePath();
  QDir().mkpath(QFileInfo(path).absolutePath());
  QImage image = window_.grab().toImage();
  // Volume renderings and CT noise have thousands of colours: a 256-colour palette with
  // ordered dithering keeps the picture and cuts the PNG to about a quarter (diffuse dithering
  // adds noise that compresses badly; no dithering bands). Quality 0 is zlib's strongest level.
  if (options_.screenshotPalette && !image.isNull())
    image = image.convertToFormat(QImage::Format_Indexed8, Qt::OrderedDither | Qt::PreferDither);
  if (image.isNull() || !image.save(path, "PNG", 0)) {
    fail("could not write the screenshot " + path);
    return;
  }
  QTextStream(stdout) << "screenshot: " << path << " (" << image.width() << "x" << image.height() << ", "
                      << QFileInfo(path).size() / 1024 << " KiB)\n";
  QApplication::exit(0);
}
