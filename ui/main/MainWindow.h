#pragma once
// The workbench window: a navigation list of pages on the left (Data, Setup, Monitor, and
// whatever else is added with one addPage call), the menus whose actions the reactions
// implement, a status bar with the running long operation, folder drag-and-drop, and a close
// that stops a training run cleanly first.
#include <QMainWindow>
#include <QMap>

class QListWidget;
class QMenu;
class QStackedWidget;

namespace vwb::ui {
class DataPage;
class DatasetOpener;
class GuidedStart;
class MonitorPage;
class SetupWizard;
class TaskProgressWidget;
class WorkbenchContext;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(WorkbenchContext& context, QWidget* parent = nullptr);

  // Adds a page to the navigation; the id is what --page and pageRequested() use.
  void addPage(const QString& id, const QString& title, QWidget* page, const QIcon& icon = {});
  bool showPage(const QString& id);  // false for an unknown id
  QString currentPageId() const;
  QStringList pageIds() const { return order_; }
  QWidget* page(const QString& id) const { return pages_.value(id); }

  WorkbenchContext& context() { return context_; }
  DatasetOpener* opener() const { return opener_; }
  DataPage* dataPage() const { return dataPage_; }
  SetupWizard* wizard() const { return wizard_; }
  MonitorPage* monitor() const { return monitor_; }
  TaskProgressWidget* taskProgress() const { return taskProgress_; }
  GuidedStart* guide() const { return guide_; }

  void openDatasetDialog();
  void openRunDialog();
  void openRun(const QString& dir);  // in the monitor, and its dataset with it
  // Offers the most recent run when it can be resumed (a non-blocking question); false if none.
  bool offerInterruptedRun();
  // Keeps the window within the available area of its screen (restored sizes included).
  void fitToScreen();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildMenus();
  void buildGuide();
  Q_SLOT void markInspected();
  Q_SLOT void markExported();
  void fillRecentMenu(QMenu* menu, const QStringList& items, bool runs);

  WorkbenchContext& context_;
  QListWidget* nav_;
  QStackedWidget* stack_;
  QMap<QString, QWidget*> pages_;
  QStringList order_;
  DatasetOpener* opener_;
  TaskProgressWidget* taskProgress_;
  DataPage* dataPage_;
  SetupWizard* wizard_;
  MonitorPage* monitor_;
  QMenu* viewMenu_;
  GuidedStart* guide_ = nullptr;
};

}  // namespace vwb::ui
