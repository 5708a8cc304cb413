#include "ui/monitor/ValidationPreviewView.h"

#include <QCoreApplication>
#include <QDir>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/common/Engine.h"

namespace vwb::ui {
namespace {

// The viewer's overlay colours: prediction orange, ground truth cyan.
const QColor kPrediction(255, 140, 0);
const QColor kTruth(0, 200, 255);

// Opacity of the prediction's orange: the probability where the model predicts surface (p > 0.5,
// the mask validation Dice counts), half of it below, so the mask reads at a glance and the
// uncertain background stays visible but faint.
double predictionOpacity(int probability255) {
  const double p = probability255 / 255.0;
  return p > 0.5 ? p : 0.5 * p;
}

QRgb mix(int grey, const QColor& c, double a) {
  auto ch = [&](int v) { return int(grey * (1 - a) + v * a + 0.5); };
  return qRgb(ch(c.red()), ch(c.green()), ch(c.blue()));
}

// Three pictures side by side, each scaled to fit its third (nearest neighbour when enlarged:
// a 16-voxel validation crop stays a crisp 16 x 16 grid), with a title above each.
class PreviewCanvas : public QWidget {
 public:
  PreviewCanvas(const QImage* pictures, QWidget* parent) : QWidget(parent), pictures_(pictures) {
    setMinimumSize(240, 110);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setFocusPolicy(Qt::ClickFocus);
  }
  QString emptyText;

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (pictures_[0].isNull()) {
      p.setPen(palette().color(QPalette::PlaceholderText));
      p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, emptyText);
      return;
    }
    static const char* titles[] = {QT_TRANSLATE_NOOP("ValidationPreviewView", "CT"),
                                   QT_TRANSLATE_NOOP("ValidationPreviewView", "prediction"),
                                   QT_TRANSLATE_NOOP("ValidationPreviewView", "ground truth")};
    const int gap = 6, titleHeight = fontMetrics().height() + 2;
    const int cell = (width() - 2 * gap) / 3;
    // Titles and pictures as one block, centred vertically (no gap above the caption).
    const QSize size = pictures_[0].size().scaled(QSize(cell, height() - titleHeight), Qt::KeepAspectRatio);
    const int top = (height() - titleHeight - size.height()) / 2;
    for (int i = 0; i < 3; ++i) {
      const int left = i * (cell + gap);
      p.setPen(palette().color(QPalette::Text));
      p.drawText(QRect(left, top, cell, titleHeight), Qt::AlignCenter,
                 QCoreApplication::translate("ValidationPreviewView", titles[i]));
      const QImage& img = pictures_[i];
      const QRect target(left + (cell - size.width()) / 2, top + titleHeight, size.width(), size.height());
      p.setRenderHint(QPainter::SmoothPixmapTransform, size.width() < img.width());
      p.drawImage(target, img);
    }
  }

 private:
  const QImage* pictures_;
};

}  // namespace

ValidationPreviewView::ValidationPreviewView(Engine& engine, QWidget* parent) : QWidget(parent), engine_(engine) {
  auto* canvas = new PreviewCanvas(pictures_, this);
  canvas->setFocusProxy(this);
  canvas_ = canvas;
  caption_ = new QLabel;
  caption_->setAlignment(Qt::AlignCenter);
  caption_->setWordWrap(true);
  slider_ = new QSlider(Qt::Horizontal);
  slider_->setObjectName("previewSlider");
  slider_->setToolTip(tr("Step through the epochs' previews (←/→, Home/End)"));
  slider_->setPageStep(5);
  previous_ = new QToolButton;
  previous_->setObjectName("previousPreview");
  previous_->setArrowType(Qt::LeftArrow);
  previous_->setToolTip(tr("Previous epoch's preview"));
  next_ = new QToolButton;
  next_->setObjectName("nextPreview");
  next_->setArrowType(Qt::RightArrow);
  next_->setToolTip(tr("Next epoch's preview"));
  connect(slider_, &QSlider::valueChanged, this, &ValidationPreviewView::showIndex);
  connect(previous_, &QToolButton::clicked, this, [this] { showIndex(index_ - 1); });
  connect(next_, &QToolButton::clicked, this, [this] { showIndex(index_ + 1); });

  auto* heading = new QLabel(tr("Validation preview"));
  QFont bold = heading->font();
  bold.setBold(true);
  heading->setFont(bold);
  heading->setAlignment(Qt::AlignCenter);
  auto* steps = new QHBoxLayout;
  steps->setContentsMargins(0, 0, 0, 0);
  steps->addWidget(previous_);
  steps->addWidget(slider_, 1);
  steps->addWidget(next_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->setSpacing(2);
  layout->addWidget(heading);
  layout->addWidget(canvas_, 1);
  layout->addWidget(caption_);
  layout->addLayout(steps);
  setFocusPolicy(Qt::StrongFocus);
  load();
}

void ValidationPreviewView::setPreviews(const QVector<PreviewEntry>& entries, const QString& runDir) {
  const bool sameRun = runDir == runDir_;
  const bool atNewest = index_ < 0 || index_ == count() - 1;
  const int64_t shown = currentEpoch();
  entries_ = entries;
  runDir_ = runDir;
  if (!sameRun || atNewest) {
    index_ = count() - 1;
  } else {  // the same epoch when it is still there (a resume may have dropped it), else the nearest
    auto it = std::lower_bound(entries_.begin(), entries_.end(), shown,
                               [](const PreviewEntry& e, int64_t epoch) { return e.epoch < epoch; });
    index_ = std::min(int(it - entries_.begin()), count() - 1);
  }
  load();
}

int64_t ValidationPreviewView::currentEpoch() const {
  return index_ >= 0 && index_ < count() ? entries_[index_].epoch : -1;
}

void ValidationPreviewView::showIndex(int index) {
  if (count() == 0) return;
  index = std::clamp(index, 0, count() - 1);
  if (index == index_) return;
  index_ = index;
  load();
}

QString ValidationPreviewView::caption() const { return caption_->text(); }

void ValidationPreviewView::load() {
  auto* canvas = static_cast<PreviewCanvas*>(canvas_);
  if (index_ < 0) {
    canvas->emptyText = tr("Validation previews appear here: at each validation the run saves one slice of a "
                           "validation volume with its prediction and ground truth.");
    loadedPath_.clear();
    for (QImage& img : pictures_) img = QImage();
    caption_->clear();
    updateControls();
    return;
  }
  const PreviewEntry& e = entries_[index_];
  const QString path = QDir::isAbsolutePath(e.path) ? e.path : QDir(runDir_).filePath(e.path);
  QString text = tr("epoch %1").arg(e.epoch);
  if (!e.volume.isEmpty()) text += tr(" · volume %1").arg(e.volume);
  if (e.z >= 0) text += tr(" · slice z %1").arg(e.z);
  if (e.valDice >= 0) text += tr(" · val Dice %1").arg(e.valDice, 0, 'f', 3);
  if (path != loadedPath_) {
    loadedPath_ = path;
    for (QImage& img : pictures_) img = QImage();
    try {
      const ValidationPreview p = engine_.readValidationPreview(path.toStdString());
      const int w = int(p.width), h = int(p.height);
      for (QImage& img : pictures_) img = QImage(w, h, QImage::Format_RGB32);
      for (int y = 0; y < h; ++y) {
        auto* ct = reinterpret_cast<QRgb*>(pictures_[0].scanLine(y));
        auto* pred = reinterpret_cast<QRgb*>(pictures_[1].scanLine(y));
        auto* truth = reinterpret_cast<QRgb*>(pictures_[2].scanLine(y));
        for (int x = 0; x < w; ++x) {
          const size_t i = size_t(y) * size_t(w) + size_t(x);
          const int grey = p.image[i];
          const int dim = grey / 2;  // the CT under the overlays, dimmed so the colours read
          ct[x] = qRgb(grey, grey, grey);
          pred[x] = mix(dim, kPrediction, predictionOpacity(p.probability[i]));
          truth[x] = p.label[i] == 1 ? kTruth.rgb() : p.label[i] == 2 ? qRgb(dim / 3, dim / 3, dim / 3) : qRgb(dim, dim, dim);
        }
      }
    } catch (const std::exception& ex) {
      canvas->emptyText =
          tr("No preview file for epoch %1 (the run keeps the latest previews and the best): %2")
              .arg(e.epoch)
              .arg(QString::fromStdString(ex.what()));
    }
  }
  caption_->setText(text);
  caption_->setToolTip(tr("%1 of %2 previews · %3").arg(index_ + 1).arg(count()).arg(path));
  updateControls();
}

void ValidationPreviewView::updateControls() {
  const QSignalBlocker block(slider_);
  slider_->setRange(0, std::max(0, count() - 1));
  slider_->setValue(std::max(0, index_));
  slider_->setEnabled(count() > 1);
  previous_->setEnabled(index_ > 0);
  next_->setEnabled(index_ >= 0 && index_ < count() - 1);
  canvas_->update();
}

void ValidationPreviewView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Left: showIndex(index_ - 1); break;
    case Qt::Key_Right: showIndex(index_ + 1); break;
    case Qt::Key_PageUp: showIndex(index_ - slider_->pageStep()); break;
    case Qt::Key_PageDown: showIndex(index_ + slider_->pageStep()); break;
    case Qt::Key_Home: showIndex(0); break;
    case Qt::Key_End: showIndex(count() - 1); break;
    default: QWidget::keyPressEvent(event); return;
  }
  event->accept();
}

}  // namespace vwb::ui
