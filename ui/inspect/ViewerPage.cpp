#include "ui/inspect/ViewerPage.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "engine/io/TiffVolume.h"
#include "ui/common/BackgroundTask.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/RunLocator.h"

namespace vwb::inspect {

ViewerPage::ViewerPage(ui::WorkbenchContext& context, QWidget* parent) : QWidget(parent), context_(context) {
  volumes_ = new QComboBox;
  volumes_->setMinimumContentsLength(16);
  status_ = new QLabel;
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Volume")));
  bar->addWidget(volumes_);
  bar->addWidget(status_, 1);
  viewer_ = new viewer::VolumeViewer;
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(bar);
  layout->addWidget(viewer_, 1);
  connect(volumes_, qOverload<int>(&QComboBox::activated), this,
          [this](int i) { openVolume(volumes_->itemData(i).toString()); });
  connect(&context_, &ui::WorkbenchContext::datasetChanged, this, [this] {
    fillVolumes();
    // The demo opens on the first volume; later datasets too, once the page has been seen.
    if (isVisible() && volumes_->count() > 0) openVolume(volumes_->itemData(0).toString());
  });
  fillVolumes();
}

ViewerPage::~ViewerPage() {
  // Joins every worker (the current task and retired ones) before the members they use go.
  if (task_) task_->cancel();
  task_.reset();
  ui::BackgroundTask::shutdownAll(this);
}

bool ViewerPage::busy() const { return task_ && task_->running(); }

void ViewerPage::fillVolumes() {
  volumes_->clear();
  if (!context_.hasDataset()) return;
  for (const auto& e : context_.dataset().train)
    volumes_->addItem(QString::fromStdString(e.id) + (e.labelPath.empty() ? "" : tr("  (labeled)")),
                      QString::fromStdString(e.id));
  for (const auto& e : context_.dataset().test)
    volumes_->addItem(QString::fromStdString(e.id) + tr("  (test)"), QString::fromStdString(e.id));
}

void ViewerPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (!shownOnce_ && volumes_->count() > 0 && viewer_->volumes().ct == nullptr && !busy()) {
    shownOnce_ = true;
    openVolume(volumes_->itemData(0).toString());
  }
}

void ViewerPage::openVolume(const QString& id) {
  if (!context_.hasDataset()) return;
  const VolumeEntry* entry = nullptr;
  for (const auto* list : {&context_.dataset().train, &context_.dataset().test})
    for (const auto& e : *list)
      if (QString::fromStdString(e.id) == id) entry = &e;
  if (!entry) {
    Q_EMIT openFailed(tr("no volume '%1' in the dataset").arg(id));
    return;
  }
  const int index = volumes_->findData(id);
  if (index >= 0) volumes_->setCurrentIndex(index);
  const std::string image = entry->imagePath, label = entry->labelPath;
  const QString run = inspectedRunDir(context_);
  const std::string probPath = run.isEmpty() ? "" : probabilityDir(run.toStdString()) + "/" + id.toStdString() + ".tif";
  const std::string maskPath = run.isEmpty() ? "" : maskDir(run.toStdString()) + "/" + id.toStdString() + ".tif";
  auto result = std::make_shared<viewer::ViewerVolumes>();
  result->title = id;
  ui::BackgroundTask::retire(std::move(task_), this);
  task_ = std::make_unique<ui::BackgroundTask>(tr("Opening %1").arg(id), [=](ProgressSink& p, const CancelToken& c) {
    p.progress("reading " + image, 0, 3);
    result->ct = std::make_shared<const VolumeU8>(readVolumeU8(image));
    c.throwIfCancelled();
    if (!label.empty()) {
      p.progress("reading " + label, 1, 3);
      result->groundTruth = std::make_shared<const VolumeU8>(readVolumeU8(label));
    }
    c.throwIfCancelled();
    p.progress("reading the prediction", 2, 3);
    if (!probPath.empty() && QFileInfo::exists(QString::fromStdString(probPath))) {
      result->prediction = std::make_shared<const VolumeU8>(readVolumeU8(probPath));
      result->predictionKind = viewer::PredictionKind::Probability255;
    } else if (!maskPath.empty() && QFileInfo::exists(QString::fromStdString(maskPath))) {
      result->prediction = std::make_shared<const VolumeU8>(readVolumeU8(maskPath));
      result->predictionKind = viewer::PredictionKind::Mask01;
    }
  });
  status_->setText(tr("Reading %1…").arg(id));
  connect(task_.get(), &ui::BackgroundTask::finished, this, [this, result, id] {
    try {
      viewer_->setVolumes(*result);
      // Without a prediction the label is the only overlay there is: show it.
      viewer_->setShowGroundTruth(result->groundTruth && !result->prediction);
    } catch (const std::exception& e) {
      status_->setText(QString::fromUtf8(e.what()));
      Q_EMIT openFailed(QString::fromUtf8(e.what()));
      return;
    }
    status_->setText(result->prediction ? tr("%1 with the run's prediction").arg(id)
                                        : tr("%1 (no prediction in this run yet)").arg(id));
    Q_EMIT opened(id);
  });
  connect(task_.get(), &ui::BackgroundTask::failed, this, [this](const QString& message) {
    status_->setText(message);
    Q_EMIT openFailed(message);
  });
  task_->start();
}

void ViewerPage::showVolumes(const viewer::ViewerVolumes& volumes, double threshold) {
  if (busy()) {
    task_->cancel();
    task_->waitForEnd();
  }
  shownOnce_ = true;
  const int index = volumes_->findData(volumes.title);
  if (index >= 0) volumes_->setCurrentIndex(index);
  viewer_->setVolumes(volumes);
  viewer_->setThreshold(threshold);
  if (volumes.groundTruth) viewer_->setShowGroundTruth(true);
  status_->setText(tr("%1 from the predictions page").arg(volumes.title));
  Q_EMIT opened(volumes.title);
}

}  // namespace vwb::inspect
