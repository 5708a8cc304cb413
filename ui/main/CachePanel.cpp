#include "ui/main/CachePanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/common/BackgroundTask.h"
#include "ui/common/ElidedLabel.h"
#include "ui/common/Format.h"
#include "ui/common/WorkbenchContext.h"

namespace vwb::ui {

QString volumeCount(int64_t n) { return n == 1 ? QObject::tr("1 volume") : QObject::tr("%1 volumes").arg(n); }

CachePanel::CachePanel(WorkbenchContext& context, QWidget* parent) : QWidget(parent), context_(context) {
  summary_ = new ElidedLabel;
  message_ = new QLabel;
  message_->setWordWrap(true);
  message_->setVisible(false);
  preprocess_ = new QPushButton(tr("Preprocess"));
  preprocess_->setToolTip(tr("Decode every volume the cache lacks once, on every core (vwb preprocess). "
                             "Training reads the cache; without it, training preprocesses first."));
  preprocess_->setEnabled(false);
  bar_ = new QProgressBar;
  bar_->setFormat(tr("%v / %m volumes"));
  bar_->setMinimumWidth(bar_->fontMetrics().horizontalAdvance(tr("0000 / 0000 volumes")) + 24);
  bar_->setMaximumWidth(320);
  eta_ = new QLabel;
  cancel_ = new QToolButton;
  cancel_->setText(tr("Cancel"));
  cancel_->setToolTip(tr("Stop after the volumes being decoded now; the volumes done stay cached"));
  for (QWidget* w : std::initializer_list<QWidget*>{bar_, eta_, cancel_}) w->setVisible(false);
  connect(preprocess_, &QPushButton::clicked, this, &CachePanel::startPreprocessing);
  connect(cancel_, &QToolButton::clicked, this, &CachePanel::cancelPreprocessing);

  auto* line = new QHBoxLayout;
  line->setContentsMargins(0, 0, 0, 0);
  line->addWidget(summary_, 1);
  line->addWidget(bar_);
  line->addWidget(eta_);
  line->addWidget(cancel_);
  line->addWidget(preprocess_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(line);
  layout->addWidget(message_);
  summary_->setText(tr("Chunk cache: no dataset open"));
}

CachePanel::~CachePanel() {
  statusTask_.reset();      // cancels and joins
  preprocessTask_.reset();  // cancels; joins once the volumes being written are complete
  BackgroundTask::shutdownAll(this);
}

bool CachePanel::reading() const { return statusTask_ && statusTask_->running(); }
bool CachePanel::preprocessing() const { return preprocessTask_ && preprocessTask_->running(); }

int CachePanel::cachedCount() const {
  if (!status_) return 0;
  int n = 0;
  for (const auto* list : {&status_->train, &status_->test})
    for (const VolumeCacheStatus& v : *list) n += v.state == CacheState::Cached;
  return n;
}

void CachePanel::showDataset() {
  if (preprocessTask_) {
    // Another dataset: the old one's preprocessing stops after its current volumes, on its own.
    BackgroundTask::retire(std::move(preprocessTask_), this);
    for (QWidget* w : std::initializer_list<QWidget*>{bar_, eta_, cancel_}) w->setVisible(false);
  }
  message_->setVisible(false);
  status_.reset();
  refresh();
}

void CachePanel::refresh() {
  BackgroundTask::retire(std::move(statusTask_), this);
  if (!context_.hasDataset()) {
    status_.reset();
    summary_->setText(tr("Chunk cache: no dataset open"));
    preprocess_->setEnabled(false);
    return;
  }
  struct Result {
    DatasetCacheStatus status;
  };
  auto result = std::make_shared<Result>();
  lastRead_.start();
  EnginePtr engine = context_.enginePtr();
  Dataset dataset = context_.dataset();
  statusTask_ = std::make_unique<BackgroundTask>(
      tr("Reading the chunk cache"), [engine, dataset, result](ProgressSink&, const CancelToken& cancel) {
        result->status = engine->cacheStatus(dataset, &cancel);
      });
  if (!status_) summary_->setText(tr("Chunk cache: reading…"));
  connect(statusTask_.get(), &BackgroundTask::finished, this, [this, result] {
    status_ = std::move(result->status);
    showStatus();
    Q_EMIT statusRead();
  });
  connect(statusTask_.get(), &BackgroundTask::failed, this, [this](const QString& message) {
    status_.reset();
    summary_->setText(tr("Chunk cache: %1").arg(message));
    Q_EMIT statusRead();
  });
  preprocess_->setEnabled(!preprocessing());
  statusTask_->start();
}

void CachePanel::showStatus() {
  const DatasetCacheStatus& s = *status_;
  const int total = int(s.train.size() + s.test.size());
  int stale = 0, corrupt = 0;
  for (const auto* list : {&s.train, &s.test})
    for (const VolumeCacheStatus& v : *list) {
      stale += v.state == CacheState::Stale;
      corrupt += v.state == CacheState::Corrupt;
    }
  const QString dir = QString::fromStdString(s.dir);
  QString text;
  if (cachedCount() == 0 && s.bytesOnDisk == 0 && corrupt == 0)
    text = tr("Chunk cache: no cache yet (Preprocess writes it to %1)").arg(dir);
  else {
    text = tr("Chunk cache: %1 of %2 volumes cached (%3 on disk at %4)")
               .arg(cachedCount()).arg(total).arg(formatBytes(s.bytesOnDisk), dir);
    if (stale) text += tr(" · %1 stale").arg(stale);
    if (corrupt) text += tr(" · %1 corrupt").arg(corrupt);
  }
  if (!s.note.empty()) text += " · " + QString::fromStdString(s.note);
  summary_->setText(text);
}

void CachePanel::startPreprocessing() {
  if (preprocessing() || !context_.hasDataset()) return;
  BackgroundTask::retire(std::move(preprocessTask_), this);
  auto summary = std::make_shared<PreprocessSummary>();
  EnginePtr engine = context_.enginePtr();
  Dataset dataset = context_.dataset();
  preprocessTask_ = std::make_unique<BackgroundTask>(
      tr("Preprocessing"), [engine, dataset, summary](ProgressSink& progress, const CancelToken& cancel) {
        *summary = engine->preprocess(dataset, &progress, &cancel);
      });
  connect(preprocessTask_.get(), &BackgroundTask::progressChanged, this,
          [this](const QString&, qint64 done, qint64 total) { showProgress(done, total); });
  connect(preprocessTask_.get(), &BackgroundTask::finished, this, [this, summary] {
    const QString took = summary->seconds < 10 ? tr("%1 s").arg(summary->seconds, 0, 'f', 1) : formatDuration(summary->seconds);
    QString text = tr("Preprocessed %1 in %2").arg(volumeCount(summary->processed), took);
    if (summary->reused) text += tr("; %1 already cached").arg(summary->reused);
    if (summary->failed) text += tr("; %1 not decoded (see the Cache column)").arg(volumeCount(summary->failed));
    endPreprocessing(text + ".");
  });
  connect(preprocessTask_.get(), &BackgroundTask::failed, this, [this](const QString& message) {
    endPreprocessing(message == "cancelled" ? tr("Preprocessing cancelled: the volumes done so far stay cached.")
                                            : tr("Preprocessing failed: %1").arg(message));
  });
  clock_.invalidate();
  bar_->setRange(0, 0);  // busy until the first report: the engine first checks what is fresh
  eta_->setText(tr("checking the cache…"));
  for (QWidget* w : std::initializer_list<QWidget*>{bar_, eta_, cancel_}) w->setVisible(true);
  cancel_->setEnabled(true);
  preprocess_->setEnabled(false);
  message_->setVisible(false);
  Q_EMIT preprocessingStarted();
  preprocessTask_->start();
}

void CachePanel::showProgress(qint64 done, qint64 total) {
  if (total <= 0) return;
  if (!clock_.isValid()) clock_.start();
  bar_->setRange(0, int(total));
  bar_->setValue(int(done));
  // The rows turn "cached" while it runs: the state is read again every few seconds (index
  // entries only, a small share of the work).
  if (!reading() && (!lastRead_.isValid() || lastRead_.elapsed() > kLiveRefreshMs)) refresh();
  if (cancel_->isEnabled()) {
    const double elapsed = clock_.elapsed() / 1000.0;
    eta_->setText(done > 0 ? tr("ETA %1").arg(formatDuration(elapsed / double(done) * double(total - done)))
                           : tr("ETA: estimating…"));
  }
}

void CachePanel::cancelPreprocessing() {
  if (!preprocessing()) return;
  preprocessTask_->cancel();
  cancel_->setEnabled(false);
  eta_->setText(tr("cancelling: finishing the volumes being written…"));
}

void CachePanel::endPreprocessing(const QString& message) {
  for (QWidget* w : std::initializer_list<QWidget*>{bar_, eta_, cancel_}) w->setVisible(false);
  message_->setText(message);
  message_->setVisible(true);
  preprocess_->setEnabled(context_.hasDataset());
  Q_EMIT context_.statusMessage(message);
  refresh();
  Q_EMIT preprocessingEnded();
}

}  // namespace vwb::ui
