#include "ui/main/DataPage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <mutex>

#include "ui/common/BackgroundTask.h"
#include "ui/common/Format.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"

namespace vwb::ui {

namespace {
QTableWidgetItem* cell(const QString& text, Qt::Alignment align = Qt::AlignLeft | Qt::AlignVCenter) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(align);
  return item;
}
}  // namespace

DataPage::DataPage(WorkbenchContext& context, QWidget* parent) : QWidget(parent), context_(context) {
  auto* openFolder = new QPushButton(QIcon::fromTheme("folder-open"), tr("Open dataset folder…"));
  auto* openDemo = new QPushButton(tr("Open demo dataset"));
  openDemo->setToolTip(tr("Synthetic scroll volumes, generated on first use"));
  recent_ = new QPushButton(tr("Recent"));
  recent_->setMenu(new QMenu(recent_));
  connect(recent_->menu(), &QMenu::aboutToShow, this, [this] {
    QMenu* m = recent_->menu();
    m->clear();
    for (const QString& path : Settings().recentDatasets())
      m->addAction(path, this, [this, path] { Q_EMIT openRecentRequested(path); });
    if (m->isEmpty()) m->addAction(tr("(none yet)"))->setEnabled(false);
  });
  connect(openFolder, &QPushButton::clicked, this, &DataPage::openFolderRequested);
  connect(openDemo, &QPushButton::clicked, this, &DataPage::openDemoRequested);

  title_ = new QLabel(tr("<h3>No dataset open</h3>Open a folder in the competition layout "
                         "(train_images/, train_labels/, test_images/, train.csv, test.csv), drop one on "
                         "this window, or open the demo dataset."));
  title_->setWordWrap(true);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  table_ = new QTableWidget(0, 7);
  table_->setHorizontalHeaderLabels({tr("Volume"), tr("Scroll"), tr("Shape (D×H×W)"), tr("Background"),
                                     tr("Surface"), tr("Unlabeled"), tr("Role")});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setSortIndicator(IdColumn, Qt::AscendingOrder);  // Qt's default is descending
  table_->setSortingEnabled(true);

  problems_ = new QListWidget;
  problems_->setToolTip(tr("The dataset report: errors stop training, warnings do not"));

  fractionsBar_ = new QProgressBar;
  fractionsBar_->setFormat(tr("reading label volumes %v / %m"));
  fractionsCancel_ = new QToolButton;
  fractionsCancel_->setText(tr("Cancel"));
  connect(fractionsCancel_, &QToolButton::clicked, this, [this] {
    if (fractions_) fractions_->cancel();
  });
  fractionsBar_->setVisible(false);
  fractionsCancel_->setVisible(false);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(openFolder);
  buttons->addWidget(openDemo);
  buttons->addWidget(recent_);
  buttons->addStretch();
  buttons->addWidget(fractionsBar_);
  buttons->addWidget(fractionsCancel_);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(problems_);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(title_);
  layout->addWidget(split, 1);
  connect(&context_, &WorkbenchContext::datasetChanged, this, &DataPage::showDataset);
}

DataPage::~DataPage() {
  // Joins the label-fraction workers (the current one and retired ones).
  if (fractions_) fractions_->cancel();
  fractions_.reset();
  BackgroundTask::shutdownAll(this);
}

void DataPage::showDataset() {
  if (!context_.hasDataset()) return;
  const Dataset& d = context_.dataset();
  QString subtitle = tr("%1 training and %2 test volumes").arg(d.train.size()).arg(d.test.size());
  if (const auto& fp = context_.fingerprint())
    subtitle += tr(" · %1 scrolls · surface %2 of all training voxels")
                    .arg(fp->scrolls).arg(formatPercent(fp->fractionSurface));

  table_->setSortingEnabled(false);
  table_->setRowCount(0);
  auto addRow = [&](const VolumeEntry& v, const QString& role) {
    const int row = table_->rowCount();
    table_->insertRow(row);
    table_->setItem(row, IdColumn, cell(QString::fromStdString(v.id)));
    table_->setItem(row, ScrollColumn, cell(v.scrollId.empty() ? tr("–") : QString::fromStdString(v.scrollId)));
    table_->setItem(row, ShapeColumn, cell(v.shape.empty() ? tr("unreadable") : formatShape(v.shape)));
    for (int c : {BackgroundColumn, SurfaceColumn, UnlabeledColumn})
      table_->setItem(row, c, cell(v.labelPath.empty() ? tr("–") : tr("…"), Qt::AlignRight | Qt::AlignVCenter));
    table_->setItem(row, RoleColumn, cell(role));
  };
  // Roles as the trainer will assign them with the wizard's last validation fraction and seed.
  Settings settings;
  const double valFraction = settings.lastChoice("valFraction", 0.2).toDouble();
  const uint64_t seed = settings.lastChoice("seed", 1).toULongLong();
  std::vector<std::string> scrolls;
  for (const VolumeEntry& v : d.train)
    if (!v.labelPath.empty()) scrolls.push_back(v.scrollId);
  std::vector<int> validation;
  std::string reason;
  try {
    validation = context_.engine().validationVolumes(scrolls, valFraction, seed, &reason);
  } catch (const std::exception& e) {
    reason = e.what();
  }
  int labelled = 0;
  for (const VolumeEntry& v : d.train) {
    if (v.labelPath.empty()) {
      addRow(v, tr("unused (no label)"));
      continue;
    }
    const bool val = std::find(validation.begin(), validation.end(), labelled++) != validation.end();
    addRow(v, val ? tr("validation") : tr("train"));
  }
  for (const VolumeEntry& v : d.test) addRow(v, tr("test"));
  subtitle += tr("<br><small>Roles: validation fraction %1, seed %2 — %3</small>")
                  .arg(valFraction).arg(seed).arg(QString::fromStdString(reason).toHtmlEscaped());
  title_->setText(QString("<h3>%1</h3>%2").arg(QString::fromStdString(d.root).toHtmlEscaped(), subtitle));

  problems_->clear();
  for (const std::string& e : d.report.errors) {
    auto* item = new QListWidgetItem(QString::fromUtf8("✖ ") + QString::fromStdString(e));
    item->setForeground(QColor(170, 0, 0));
    problems_->addItem(item);
  }
  for (const std::string& w : d.report.warnings) {
    auto* item = new QListWidgetItem(QString::fromUtf8("⚠ ") + QString::fromStdString(w));
    item->setForeground(QColor(150, 90, 0));
    problems_->addItem(item);
  }
  if (problems_->count() == 0)
    problems_->addItem(QString::fromUtf8("✔ ") + tr("The dataset report lists no problems."));
  startLabelFractions();
}

void DataPage::startLabelFractions() {
  struct Shared {
    std::mutex mutex;
    std::vector<std::pair<int, LabelFractions>> done;  // row -> fractions, handed to the GUI in batches
  };
  auto shared = std::make_shared<Shared>();
  std::vector<std::pair<int, std::string>> jobs;
  for (int row = 0; row < static_cast<int>(context_.dataset().train.size()); ++row)
    if (!context_.dataset().train[row].labelPath.empty()) jobs.emplace_back(row, context_.dataset().train[row].labelPath);
  // The previous dataset's task finishes reading its current volume on its own, then goes.
  BackgroundTask::retire(std::move(fractions_), this);
  if (jobs.empty()) return;
  EnginePtr engine = context_.enginePtr();
  auto work = [engine, jobs, shared](ProgressSink& progress, const CancelToken& cancel) {
    for (size_t i = 0; i < jobs.size(); ++i) {
      cancel.throwIfCancelled();
      LabelFractions f = engine->labelFractions(jobs[i].second);
      {
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->done.emplace_back(jobs[i].first, f);
      }
      progress.progress("label fractions", static_cast<int64_t>(i + 1), static_cast<int64_t>(jobs.size()));
    }
  };
  // Rows keep the scan's order until the task is done (sorting is off meanwhile).
  auto flush = [this, shared] {
    std::lock_guard<std::mutex> lock(shared->mutex);
    for (const auto& [row, f] : shared->done) {
      table_->setItem(row, BackgroundColumn, cell(formatPercent(f.background), Qt::AlignRight | Qt::AlignVCenter));
      table_->setItem(row, SurfaceColumn, cell(formatPercent(f.surface), Qt::AlignRight | Qt::AlignVCenter));
      table_->setItem(row, UnlabeledColumn, cell(formatPercent(f.unlabeled), Qt::AlignRight | Qt::AlignVCenter));
    }
    shared->done.clear();
  };
  fractions_ = std::make_unique<BackgroundTask>(tr("Reading label volumes"), work);
  fractionsBar_->setRange(0, static_cast<int>(jobs.size()));
  fractionsBar_->setValue(0);
  fractionsBar_->setVisible(true);
  fractionsCancel_->setVisible(true);
  connect(fractions_.get(), &BackgroundTask::progressChanged, this, [this, flush](const QString&, qint64 done, qint64) {
    fractionsBar_->setValue(static_cast<int>(done));
    flush();
  });
  auto end = [this, flush] {
    flush();
    fractionsBar_->setVisible(false);
    fractionsCancel_->setVisible(false);
    table_->setSortingEnabled(true);
  };
  connect(fractions_.get(), &BackgroundTask::finished, this, end);
  connect(fractions_.get(), &BackgroundTask::failed, this, [this, end](const QString& message) {
    end();
    if (message != "cancelled") problems_->addItem(tr("Label fractions: %1").arg(message));
  });
  fractions_->start();
}

}  // namespace vwb::ui
