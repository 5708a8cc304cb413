#pragma once
// The Data page: the open dataset's volumes (id, scroll, shape, label fractions, role) and
// its report's errors and warnings. Label fractions need every label volume read, so they
// fill in from a cancellable background task after the dataset opens.
#include <QWidget>
#include <memory>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QToolButton;

namespace vwb::ui {
class BackgroundTask;
class WorkbenchContext;

class DataPage : public QWidget {
  Q_OBJECT
 public:
  enum Column { IdColumn, ScrollColumn, ShapeColumn, BackgroundColumn, SurfaceColumn, UnlabeledColumn, RoleColumn };

  explicit DataPage(WorkbenchContext& context, QWidget* parent = nullptr);
  ~DataPage() override;

  QTableWidget* table() const { return table_; }
  QListWidget* problems() const { return problems_; }
  BackgroundTask* fractionsTask() const { return fractions_.get(); }

 Q_SIGNALS:
  void openFolderRequested();
  void openDemoRequested();
  void openRecentRequested(const QString& path);

 private:
  void showDataset();
  void startLabelFractions();

  WorkbenchContext& context_;
  QLabel* title_;
  QTableWidget* table_;
  QListWidget* problems_;
  QProgressBar* fractionsBar_;
  QToolButton* fractionsCancel_;
  QPushButton* recent_;
  std::unique_ptr<BackgroundTask> fractions_;
};

}  // namespace vwb::ui
