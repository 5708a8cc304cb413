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
#if VWB_HAVE_PREDICTIONS
#include "ui/inspect/PostProcessRecord.h"
#endif

namespace vwb::inspect {

ViewerPage::ViewerPage(ui::WorkbenchContext& context, QWidget* parent) : QWidget(parent), context_(context) {
  volumes_ = new QComboBox;
  volumes_->setMinimumContentsLength(16);
  status_ = new QLabel;
  status_->setWordWrap(true);  // errors name whole paths: wrap, never widen the window
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
    // Nothing of the previous dataset stays on screen, nor arrives late from a read in flight.
    ++generation_;
    viewer_->setVolumes({});
    shownOnce_ = false;
    status_->setText(context_.hasDataset() ? tr("Choose a volume") : tr("No dataset open"));
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

QString ViewerPage::chosenVolume() const { return volumes_->currentData().toString(); }
QString ViewerPage::statusText() const { return status_->text(); }

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
#if VWB_HAVE_PREDICTIONS
  // The run's one post-processing setting (the Predictions page's): the same threshold here.
  const auto post = run.isEmpty() ? std::nullopt : readPostProcessRecord(postProcessRecordPath(QString::fromStdString(maskDir(run.toStdString()))));
  const std::optional<double> runThreshold = post ? std::optional<double>(post->threshold) : std::nullopt;
  const QString runSetting = post ? describePostProcess(*post) : QString();
#else
  const std::optional<double> runThreshold;
  const QString runSetting;
#endif
  auto result = std::make_shared<viewer::ViewerVolumes>();
  result->title = id;
  const int generation = ++generation_;  // only the latest open may show its volume
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
  const bool noRun = run.isEmpty();
  connect(task_.get(), &ui::BackgroundTask::finished, this, [this, result, id, generation, runThreshold, runSetting, noRun] {
    if (generation != generation_) return;
    try {
      viewer_->setVolumes(*result);
      if (runThreshold && result->predictionKind == viewer::PredictionKind::Probability255) viewer_->setThreshold(*runThreshold);
      // Without a prediction the label is the only overlay there is: show it.
      viewer_->setShowGroundTruth(result->groundTruth && !result->prediction);
    } catch (const std::exception& e) {
      showFailure(id, QString::fromUtf8(e.what()));
      return;
    }
    status_->setText(!result->prediction && noRun ? tr("%1 (no run open: open a run to see its prediction)").arg(id)
                     : !result->prediction ? tr("%1 (no prediction in this run yet)").arg(id)
                     : runThreshold       ? tr("%1 with the run's prediction at threshold %2 (the run's post-processing: %3; "
                                              "the overlay applies its threshold)").arg(id).arg(*runThreshold, 0, 'f', 2).arg(runSetting)
                                          : tr("%1 with the run's prediction").arg(id));
    Q_EMIT opened(id);
  });
  connect(task_.get(), &ui::BackgroundTask::failed, this, [this, id, generation](const QString& message) {
    if (generation == generation_) showFailure(id, message);
  });
  task_->start();
}

// The chooser goes back to the volume the views still show, and the status says which it is.
void ViewerPage::showFailure(const QString& id, const QString& message) {
  const QString shown = viewer_->volumes().ct ? viewer_->volumes().title : QString();
  volumes_->setCurrentIndex(shown.isEmpty() ? -1 : volumes_->findData(shown));
  status_->setText(shown.isEmpty() ? tr("Could not open %1: %2").arg(id, message)
                                   : tr("Could not open %1: %2 — still showing %3").arg(id, message, shown));
  Q_EMIT openFailed(message);
}

void ViewerPage::showVolumes(const viewer::ViewerVolumes& volumes, double threshold) {
  if (busy()) {
    task_->cancel();
    task_->waitForEnd();
  }
  ++generation_;
  shownOnce_ = true;
  const int index = volumes_->findData(volumes.title);
  if (index >= 0) volumes_->setCurrentIndex(index);
  viewer_->setVolumes(volumes);
  viewer_->setThreshold(threshold);
  if (volumes.groundTruth) viewer_->setShowGroundTruth(true);
  status_->setText(tr("%1 from the predictions page (threshold %2)").arg(volumes.title).arg(threshold, 0, 'f', 2));
  Q_EMIT opened(volumes.title);
}

}  // namespace vwb::inspect
