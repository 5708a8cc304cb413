#pragma once
// The workbench's Viewer page: a volume chooser over the open dataset and the VolumeViewer.
// Choosing a volume reads its image, its label (train volumes) and the inspected run's
// prediction (saved probabilities, else the mask) on a worker; the predictions page can also
// hand it volumes it already holds (showVolumes).
#include <memory>

#include <QWidget>

#include "ui/viewer/VolumeViewer.h"

class QComboBox;
class QLabel;

namespace vwb::ui {
class BackgroundTask;
class WorkbenchContext;
}  // namespace vwb::ui

namespace vwb::inspect {

class ViewerPage : public QWidget {
  Q_OBJECT
  Q_PROPERTY(bool busy READ busy)

 public:
  explicit ViewerPage(ui::WorkbenchContext& context, QWidget* parent = nullptr);
  ~ViewerPage() override;

  void openVolume(const QString& id);  // an id of the open dataset
  QString chosenVolume() const;        // the chooser's current id
  QString statusText() const;
  void showVolumes(const viewer::ViewerVolumes& volumes, double threshold);
  bool busy() const;
  viewer::VolumeViewer* viewer() const { return viewer_; }

 Q_SIGNALS:
  void opened(const QString& id);
  void openFailed(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void fillVolumes();
  void showFailure(const QString& id, const QString& message);

  ui::WorkbenchContext& context_;
  QComboBox* volumes_ = nullptr;
  QLabel* status_ = nullptr;
  viewer::VolumeViewer* viewer_ = nullptr;
  std::unique_ptr<ui::BackgroundTask> task_;
  bool shownOnce_ = false;
  int generation_ = 0;  // bumped by each open and dataset change: stale results are dropped
};

}  // namespace vwb::inspect
