#include "ui/main/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QHBoxLayout>
#include <QStackedWidget>
#include <QStatusBar>

#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/DataPage.h"
#include "ui/main/DatasetOpener.h"
#include "ui/inspect/InspectPages.h"
#include "ui/main/TaskProgressWidget.h"
#include "ui/monitor/MonitorPage.h"
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

  opener_ = new DatasetOpener(context_, this);
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
    Settings().addRecentRun(QString::fromStdString(config.runDir));
    showPage("monitor");
    monitor_->startRun(config);
  });

  buildMenus();
  const QByteArray geometry = Settings().windowGeometry();
  if (geometry.isEmpty() || !restoreGeometry(geometry)) resize(1280, 860);
  statusBar()->showMessage(tr("Ready"));
}

void MainWindow::addPage(const QString& id, const QString& title, QWidget* page, const QIcon& icon) {
  pages_.insert(id, page);
  order_ << id;
  stack_->addWidget(page);
  new QListWidgetItem(icon, title, nav_);
  if (nav_->currentRow() < 0) nav_->setCurrentRow(0);
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

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < 9; ++i) {
    QAction* a = view->addAction(tr("Page %1").arg(i + 1), this, [this, i] {
      if (i < order_.size()) showPage(order_[i]);
    });
    a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
  }

  // About: what this build runs on (the same lines as `vwb --version`).
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Vesuvius Workbench"), this, [this] {
    const QString info = QString::fromStdString(context_.engine().buildInfo()).toHtmlEscaped();
    QMessageBox::about(this, tr("About Vesuvius Workbench"),
                       tr("<b>Vesuvius Workbench</b> %1<br><br>%2")
                           .arg(QApplication::applicationVersion(), QString(info).replace("\n", "<br>")));
  });
}

void MainWindow::fillRecentMenu(QMenu* menu, const QStringList& items, bool runs) {
  menu->clear();
  for (const QString& path : items)
    menu->addAction(path, this, [this, path, runs] {
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
  if (monitor_->openRun(dir)) Settings().addRecentRun(dir);
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
  if (QFileInfo::exists(dir + "/config.json")) openRun(dir);
  else {
    showPage("data");
    opener_->open(dir);
  }
  event->acceptProposedAction();
}

}  // namespace vwb::ui
