#include "ui/main/DataPage.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <map>
#include <mutex>

#include "ui/common/BackgroundTask.h"
#include "ui/common/Format.h"
#include "ui/common/Settings.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/CachePanel.h"
#include "ui/main/VolumeFilterProxy.h"
#include "ui/main/VolumeTableModel.h"

namespace vwb::ui {

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

  cache_ = new CachePanel(context_);
  connect(cache_, &CachePanel::statusRead, this, [this] {
    if (cache_->status()) model_->setCacheStatus(*cache_->status());
    startLabelFractions();  // for the labelled volumes the cache does not hold yet
  });
  connect(cache_, &CachePanel::preprocessingStarted, this, &DataPage::stopLabelFractions);  // it reads them too

  scrollFilter_ = new QComboBox;
  scrollFilter_->setToolTip(tr("Show the volumes of one scroll"));
  scrollFilter_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  idFilter_ = new QLineEdit;
  idFilter_->setPlaceholderText(tr("Filter by volume id"));
  idFilter_->setClearButtonEnabled(true);
  idFilter_->setMaximumWidth(260);
  shown_ = new QLabel;

  model_ = new VolumeTableModel(this);
  proxy_ = new VolumeFilterProxy(model_, this);
  connect(scrollFilter_, &QComboBox::currentIndexChanged, this, [this](int index) {
    const QVariant scroll = scrollFilter_->itemData(index);
    proxy_->setScroll(scroll.isValid() ? std::optional<QString>(scroll.toString()) : std::nullopt);
  });
  connect(idFilter_, &QLineEdit::textChanged, proxy_, &VolumeFilterProxy::setIdFilter);
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(proxy_, signal, this, &DataPage::updateShown);
  connect(proxy_, &QAbstractItemModel::modelReset, this, &DataPage::updateShown);
  connect(proxy_, &QAbstractItemModel::layoutChanged, this, &DataPage::updateShown);

  table_ = new QTableView;
  table_->setModel(proxy_);
  QHeaderView* header = table_->horizontalHeader();
  // Interactive, sized once per dataset: ResizeToContents would measure every row on every change.
  header->setSectionResizeMode(QHeaderView::Interactive);
  header->setResizeContentsPrecision(200);
  header->setStretchLastSection(true);
  // Compact rows of one fixed height: 786 volumes fit in fewer screens, and no row is measured.
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->verticalHeader()->hide();
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->setSortingEnabled(true);
  table_->sortByColumn(VolumeTableModel::IdColumn, Qt::AscendingOrder);  // Qt's default is descending
  table_->resizeColumnsToContents();  // an empty table too: every header reads whole ("Shape" was cut)

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

  auto* filters = new QHBoxLayout;
  filters->addWidget(scrollFilter_);
  filters->addWidget(idFilter_);
  filters->addStretch();
  filters->addWidget(shown_);

  auto* tableBox = new QWidget;
  auto* tableLayout = new QVBoxLayout(tableBox);
  tableLayout->setContentsMargins(0, 0, 0, 0);
  tableLayout->addLayout(filters);
  tableLayout->addWidget(table_);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(tableBox);
  split->addWidget(problems_);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(title_);
  layout->addWidget(cache_);
  layout->addWidget(split, 1);
  connect(&context_, &WorkbenchContext::datasetChanged, this, &DataPage::showDataset);
  fillScrollFilter();
  updateShown();
}

DataPage::~DataPage() {
  // The cache panel first (it cancels preprocessing and joins it once the volumes being written
  // are complete) while the model its status feeds still exists; then the label-fraction
  // workers (the current one and retired ones).
  delete cache_;
  cache_ = nullptr;
  if (fractions_) fractions_->cancel();
  fractions_.reset();
  BackgroundTask::shutdownAll(this);
}

bool DataPage::loading() const { return (cache_ && cache_->reading()) || (fractions_ && fractions_->running()); }

QString DataPage::titleText() const { return title_->text(); }

void DataPage::showNotADataset(const QString& root, const QString& why) {
  stopLabelFractions();
  model_->setRows({});
  fillScrollFilter();
  title_->setText(tr("<h3>%1</h3><b style='color:#a00000'>This folder is not a dataset</b>: %2")
                      .arg(root.toHtmlEscaped(), why.toHtmlEscaped()));
  problems_->clear();
  auto* item = new QListWidgetItem(QString::fromUtf8("✖ ") + tr("Not a dataset: nothing was opened, nothing written"));
  item->setForeground(QColor(170, 0, 0));
  problems_->addItem(item);
}

void DataPage::showDataset() {
  if (!context_.hasDataset()) {
    cache_->showDataset();  // no dataset: no cache line, Preprocess off
    return;
  }
  const Dataset& d = context_.dataset();
  QString subtitle = tr("%1 training and %2 test volumes").arg(d.train.size()).arg(d.test.size());
  if (const auto& fp = context_.fingerprint())
    subtitle += tr(" · %1 scrolls · surface %2 of all training voxels")
                    .arg(fp->scrolls).arg(formatPercent(fp->fractionSurface));

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
  std::sort(validation.begin(), validation.end());
  std::vector<VolumeTableModel::Row> rows;
  rows.reserve(d.train.size() + d.test.size());
  auto row = [](const VolumeEntry& v, const QString& role) {
    VolumeTableModel::Row r;
    r.id = QString::fromStdString(v.id);
    r.scroll = QString::fromStdString(v.scrollId);
    r.shape = v.shape;
    r.hasLabel = !v.labelPath.empty();
    r.role = role;
    return r;
  };
  int labelled = 0;
  for (const VolumeEntry& v : d.train) {
    if (v.labelPath.empty()) {
      rows.push_back(row(v, tr("unused (no label)")));
      continue;
    }
    const bool val = std::binary_search(validation.begin(), validation.end(), labelled++);
    rows.push_back(row(v, val ? tr("validation") : tr("train")));
  }
  for (const VolumeEntry& v : d.test) rows.push_back(row(v, tr("test")));
  stopLabelFractions();
  model_->setRows(std::move(rows));
  table_->resizeColumnsToContents();
  fillScrollFilter();
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
  // The cache's state first: the fractions it holds need no label volume read (statusRead).
  cache_->showDataset();
}

void DataPage::fillScrollFilter() {
  const QSignalBlocker block(scrollFilter_);
  scrollFilter_->clear();
  std::map<QString, int> counts;
  for (int r = 0; r < model_->rowCount(); ++r) ++counts[model_->row(r).scroll];
  scrollFilter_->addItem(tr("All scrolls (%1)").arg(model_->rowCount()));
  std::vector<std::pair<QString, int>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;  // numeric ids
  });
  for (const auto& [scroll, n] : sorted)
    scrollFilter_->addItem(scroll.isEmpty() ? tr("no scroll id (%1)").arg(n) : tr("scroll %1 (%2)").arg(scroll).arg(n),
                           scroll);
  scrollFilter_->setEnabled(model_->rowCount() > 0);
  idFilter_->setEnabled(model_->rowCount() > 0);
  proxy_->setScroll(std::nullopt);
}

void DataPage::updateShown() {
  const int all = model_->rowCount(), shown = proxy_->rowCount();
  shown_->setText(shown == all ? volumeCount(all) : tr("showing %1 of %2").arg(shown).arg(volumeCount(all)));
}

void DataPage::stopLabelFractions() {
  // The task finishes reading its current volume on its own, then goes.
  BackgroundTask::retire(std::move(fractions_), this);
  fractionsBar_->setVisible(false);
  fractionsCancel_->setVisible(false);
}

void DataPage::startLabelFractions() {
  struct Shared {
    std::mutex mutex;
    std::vector<std::pair<int, LabelFractions>> done;  // row -> fractions, handed to the GUI in batches
  };
  auto shared = std::make_shared<Shared>();
  std::vector<std::pair<int, std::string>> jobs;
  const Dataset& d = context_.dataset();
  for (int row = 0; row < static_cast<int>(d.train.size()); ++row)
    if (!d.train[size_t(row)].labelPath.empty() && !model_->row(row).fractions)
      jobs.emplace_back(row, d.train[size_t(row)].labelPath);
  stopLabelFractions();
  if (jobs.empty() || cache_->preprocessing()) return;
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
  auto flush = [this, shared] {
    std::lock_guard<std::mutex> lock(shared->mutex);
    model_->setFractions(shared->done);
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
  };
  connect(fractions_.get(), &BackgroundTask::finished, this, end);
  connect(fractions_.get(), &BackgroundTask::failed, this, [this, end](const QString& message) {
    end();
    if (message != "cancelled") problems_->addItem(tr("Label fractions: %1").arg(message));
  });
  fractions_->start();
}

}  // namespace vwb::ui
