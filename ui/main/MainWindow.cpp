#include "ui/main/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QHBoxLayout>
#include <QStackedWidget>
#include <QStatusBar>

#include "engine/run/RunFolder.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/DataPage.h"
#include "ui/main/DatasetOpener.h"
#include "ui/main/GuidedStart.h"
#include "ui/main/HelpMenu.h"
#include "ui/inspect/InspectPages.h"
#include "ui/main/TaskProgressWidget.h"
#include "ui/monitor/MonitorPage.h"
#include "ui/monitor/RunSummary.h"
#include "ui/wizard/SetupWizard.h"

namespace vwb::ui {

MainWindow::MainWindow(WorkbenchContext& context, QWidget* parent)
    : QMainWindow(parent), context_(context) {
  setWindowTitle(tr("Vesuvius Workbench"));
  setAcceptDrops(true);
  nav_ = new QListWidget;
  nav_->setFixedWidth(150);
  nav_->setIconSize(QSize(20, 20));
  nav_->setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px 6px; }");
  stack_ = new QStackedWidget;
  auto* central = new QWidget;
  auto* row = new QHBoxLayout(central);
  row->setContentsMargins(4, 4, 4, 0);
  row->addWidget(nav_);
  row->addWidget(stack_, 1);
  setCentralWidget(central);
  connect(nav_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);
  viewMenu_ = new QMenu(tr("&View"), this);  // one action per page, added by addPage

  opener_ = new DatasetOpener(context_, this);
  connect(opener_, &DatasetOpener::notADataset, this, [this](const QString& root, const QString& why) {
    showPage("data");
    dataPage_->showNotADataset(root, why);
  });
  taskProgress_ = new TaskProgressWidget;
  statusBar()->addPermanentWidget(taskProgress_);
  connect(opener_, &DatasetOpener::taskStarted, taskProgress_, &TaskProgressWidget::track);
  connect(&context_, &WorkbenchContext::statusMessage, this, [this](const QString& t) { statusBar()->showMessage(t, 8000); });
  connect(&context_, &WorkbenchContext::pageRequested, this, &MainWindow::showPage);

  dataPage_ = new DataPage(context_);
  wizard_ = new SetupWizard(context_);
  wizard_->setWindowFlags(Qt::Widget);  // a page of this window, not a dialog
  monitor_ = new MonitorPage(context_);
  addPage("data", tr("Data"), dataPage_, QIcon::fromTheme("folder"));
  addPage("wizard", tr("Setup"), wizard_, QIcon::fromTheme("preferences-system"));
  addPage("monitor", tr("Monitor"), monitor_, QIcon::fromTheme("utilities-system-monitor"));
  inspect::addInspectPages(context_, {[this](auto&&... a) { addPage(a...); }, [this](const QString& id) { return showPage(id); }});

  connect(dataPage_, &DataPage::openFolderRequested, this, &MainWindow::openDatasetDialog);
  connect(dataPage_, &DataPage::openDemoRequested, this, [this] {
    opener_->openDemo(context_.demoDir());
  });
  connect(dataPage_, &DataPage::openRecentRequested, opener_, &DatasetOpener::open);
  connect(wizard_, &SetupWizard::startRequested, this, [this](const TrainConfig& config) {
    Settings().addRecentRun(QString::fromStdString(config.run.dir));
    showPage("monitor");
    monitor_->startRun(config);
  });

  buildGuide();
  buildMenus();
  const QByteArray geometry = Settings().windowGeometry();
  if (geometry.isEmpty() || !restoreGeometry(geometry)) resize(1280, 860);
  fitToScreen();
  statusBar()->showMessage(tr("Ready"));
}

// A saved size from a larger screen (or one a long text had widened) is cut to the screen the
// window opens on, and the window is moved back onto it.
void MainWindow::fitToScreen() {
  const QScreen* s = screen() ? screen() : QGuiApplication::primaryScreen();
  if (!s) return;
  const QRect avail = s->availableGeometry();
  if (isMaximized() || isFullScreen()) return;
  const QSize frame = frameGeometry().size() - geometry().size();  // title bar and borders
  const QSize size = this->size().boundedTo(avail.size() - frame);
  if (size != this->size()) resize(size);
  QRect g = frameGeometry();
  g.moveLeft(std::clamp(g.left(), avail.left(), std::max(avail.left(), avail.right() - g.width() + 1)));
  g.moveTop(std::clamp(g.top(), avail.top(), std::max(avail.top(), avail.bottom() - g.height() + 1)));
  if (g.topLeft() != frameGeometry().topLeft()) move(g.topLeft());
}

void MainWindow::addPage(const QString& id, const QString& title, QWidget* page, const QIcon& icon) {
  pages_.insert(id, page);
  order_ << id;
  stack_->addWidget(page);
  new QListWidgetItem(icon, title, nav_);
  if (nav_->currentRow() < 0) nav_->setCurrentRow(0);
  // View › the page by name, Ctrl+1…Ctrl+9 for the first nine; a page added again keeps its slot.
  if (order_.count(id) > 1) return;
  QAction* a = viewMenu_->addAction(QString(title).remove('&'), this, [this, id] { showPage(id); });
  const int n = static_cast<int>(order_.size());
  if (n <= 9) a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_0 + n)));
}

bool MainWindow::showPage(const QString& id) {
  const int index = order_.indexOf(id);
  if (index < 0) return false;
  nav_->setCurrentRow(index);
  return true;
}

QString MainWindow::currentPageId() const {
  const int row = nav_->currentRow();
  return row >= 0 && row < order_.size() ? order_[row] : QString();
}

// The guided start sits on the Data page, under its buttons; each step ticks when it happens.
void MainWindow::buildGuide() {
  guide_ = new GuidedStart;
  if (auto* box = qobject_cast<QBoxLayout*>(dataPage_->layout())) box->insertWidget(1, guide_);
  connect(guide_, &GuidedStart::pageRequested, this, &MainWindow::showPage);
  // Another dataset (or none): the plan reviewed was the last dataset's.
  connect(&context_, &WorkbenchContext::datasetChanged, guide_, [this] {
    guide_->setDone(GuidedStart::OpenData, context_.hasDataset());
    guide_->setDone(GuidedStart::ReviewPlan, false);
  });
  connect(wizard_, &QWizard::currentIdChanged, guide_, [this](int id) {
    if (id == SetupWizard::ReviewPageId) guide_->setDone(GuidedStart::ReviewPlan);
  });
  connect(wizard_, &SetupWizard::startRequested, guide_, [this] {
    guide_->setDone(GuidedStart::ReviewPlan);
    guide_->setDone(GuidedStart::Train);
  });
  connect(&context_, &WorkbenchContext::runDirChanged, guide_, [this](const QString& dir) {
    if (!dir.isEmpty()) guide_->setDone(GuidedStart::Train);
  });
  // The inspect pages are optional in a build: connected by signature when they are there.
  if (QWidget* p = page("predictions"); p && p->metaObject()->indexOfSignal("rowsUpdated()") >= 0)
    connect(p, SIGNAL(rowsUpdated()), this, SLOT(markInspected()));
  if (QWidget* p = page("export"); p && p->metaObject()->indexOfSignal("written(QString,qint64)") >= 0)
    connect(p, SIGNAL(written(QString,qint64)), this, SLOT(markExported()));
}

void MainWindow::markInspected() { guide_->setDone(GuidedStart::Inspect); }
void MainWindow::markExported() { guide_->setDone(GuidedStart::Export); }

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(QIcon::fromTheme("folder-open"), tr("Open &dataset…"), QKeySequence::Open, this, &MainWindow::openDatasetDialog);
  file->addAction(tr("Open d&emo dataset"), this, [this] { opener_->openDemo(context_.demoDir()); });
  QMenu* recentData = file->addMenu(tr("Recent datasets"));
  connect(recentData, &QMenu::aboutToShow, this, [this, recentData] { fillRecentMenu(recentData, Settings().recentDatasets(), false); });
  file->addSeparator();
  file->addAction(tr("Open &run…"), this, &MainWindow::openRunDialog);
  QMenu* recentRuns = file->addMenu(tr("Recent runs"));
  connect(recentRuns, &QMenu::aboutToShow, this, [this, recentRuns] { fillRecentMenu(recentRuns, Settings().recentRuns(), true); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run->addAction(tr("&New run…"), this, [this] { showPage("wizard"); });
  run->addAction(tr("&Stop"), this, [this] { monitor_->stopRun(); });
  run->addAction(tr("&Resume"), this, [this] { monitor_->resumeRun(); });

  menuBar()->addMenu(viewMenu_);
  addHelpMenu(*this, QString::fromStdString(context_.engine().buildInfo()));
}

void MainWindow::fillRecentMenu(QMenu* menu, const QStringList& items, bool runs) {
  menu->clear();
  for (const QString& path : items)
    menu->addAction(runs ? path + QString::fromUtf8("  — ") + readRunSummary(path, context_.engine()).text() : path, this, [this, path, runs] {
      if (runs) openRun(path);
      else opener_->open(path);
    });
  if (menu->isEmpty()) menu->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::openDatasetDialog() {
  const QStringList recent = Settings().recentDatasets();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a dataset folder"), recent.value(0));
  if (!dir.isEmpty()) opener_->open(dir);
}

void MainWindow::openRunDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a run directory"), Settings().recentRuns().value(0));
  if (!dir.isEmpty()) openRun(dir);
}

void MainWindow::openRun(const QString& dir) {
  if (monitor_->isTraining()) {
    QMessageBox::information(this, windowTitle(), tr("Stop the running training before opening another run."));
    return;
  }
  showPage("monitor");
  if (!monitor_->openRun(dir)) return;
  Settings().addRecentRun(dir);
  // A run is read against its dataset: open it too, unless it is the one already open.
  const RunSummary run = readRunSummary(dir, context_.engine());
  const QString data = run.dataDir.isEmpty() ? QString() : QDir(run.dataDir).absolutePath();
  const bool open = context_.hasDataset() && QDir(QString::fromStdString(context_.dataset().root)).absolutePath() == data;
  if (!data.isEmpty() && !open) {
    if (QFileInfo(data).isDir()) {
      context_.statusMessage(tr("Opening the run's dataset %1").arg(data));
      opener_->open(data);
    } else {
      context_.statusMessage(tr("The run's dataset %1 is not there: open it to inspect the run's volumes").arg(data));
    }
  }
}

// At start: the last run, when it was stopped or killed before its end, is offered for resuming.
bool MainWindow::offerInterruptedRun() {
  const QString dir = Settings().recentRuns().value(0);
  if (dir.isEmpty()) return false;
  const RunSummary run = readRunSummary(dir, context_.engine());
  if (!run.resumable) return false;
  auto* box = new QMessageBox(QMessageBox::Question, windowTitle(),
                              tr("The last run, %1, is %2. Open it to resume?").arg(dir, run.text()),
                              QMessageBox::Open | QMessageBox::Ignore, this);
  box->setObjectName("resumeOffer");
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::finished, this, [this, dir](int answer) {
    if (answer == QMessageBox::Open) openRun(dir);
  });
  box->open();
  return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (monitor_->isTraining()) {
    const auto answer = QMessageBox::question(
        this, windowTitle(), tr("A training run is in progress. Stop it (it finishes the step and writes a checkpoint) and quit?"),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    monitor_->stopAndWait();
  }
  Settings().setWindowGeometry(saveGeometry());
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.size() == 1 && urls[0].isLocalFile() && QFileInfo(urls[0].toLocalFile()).isDir()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QString dir = event->mimeData()->urls().value(0).toLocalFile();
  // A run directory (it has config.json) opens in the monitor; anything else as a dataset.
  if (QFileInfo::exists(QString::fromStdString(RunFolder(dir.toStdString()).config()))) openRun(dir);
  else {
    showPage("data");
    opener_->open(dir);
  }
  event->acceptProposedAction();
}

}  // namespace vwb::ui
