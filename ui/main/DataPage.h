#pragma once
// The Data page: the open dataset's volumes (id, scroll, shape, label fractions, role, chunk
// cache state) in a model/view table that sorts by any column and filters by scroll and by id,
// the dataset's cache line with Preprocess (CachePanel), and the report's errors and warnings.
// Label fractions come from the chunk cache where it holds them; the rest are read from the
// label volumes by a cancellable background task.
#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;

namespace vwb::ui {
class BackgroundTask;
class CachePanel;
class VolumeFilterProxy;
class VolumeTableModel;
class WorkbenchContext;

class DataPage : public QWidget {
  Q_OBJECT
 public:
  explicit DataPage(WorkbenchContext& context, QWidget* parent = nullptr);
  ~DataPage() override;

  QTableView* table() const { return table_; }
  VolumeTableModel* model() const { return model_; }
  VolumeFilterProxy* proxy() const { return proxy_; }
  QComboBox* scrollFilter() const { return scrollFilter_; }
  QLineEdit* idFilter() const { return idFilter_; }
  QLabel* shownLabel() const { return shown_; }
  CachePanel* cachePanel() const { return cache_; }
  QListWidget* problems() const { return problems_; }
  BackgroundTask* fractionsTask() const { return fractions_.get(); }
  // The page is still filling in (cache state or label fractions being read).
  bool loading() const;
  // The folder just opened is not a dataset: the page says so and why, and holds no volumes.
  void showNotADataset(const QString& root, const QString& why);
  QString titleText() const;

 Q_SIGNALS:
  void openFolderRequested();
  void openDemoRequested();
  void openRecentRequested(const QString& path);

 private:
  void showDataset();
  void fillScrollFilter();
  void updateShown();
  void startLabelFractions();
  void stopLabelFractions();

  WorkbenchContext& context_;
  QLabel* title_;
  CachePanel* cache_;
  QComboBox* scrollFilter_;
  QLineEdit* idFilter_;
  QLabel* shown_;
  VolumeTableModel* model_;
  VolumeFilterProxy* proxy_;
  QTableView* table_;
  QListWidget* problems_;
  QProgressBar* fractionsBar_;
  QToolButton* fractionsCancel_;
  QPushButton* recent_;
  std::unique_ptr<BackgroundTask> fractions_;
};

}  // namespace vwb::ui
