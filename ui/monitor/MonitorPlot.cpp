#include "ui/monitor/MonitorPlot.h"

#include <QFileDialog>
#include <QMenu>
#include <QToolTip>
#include <cmath>
#include <limits>

namespace vwb::ui {

MonitorPlot::MonitorPlot(const QString& title, const QString& xLabel, const QString& yLabel,
                         QWidget* parent)
    : QCustomPlot(parent), title_(title) {
  setMinimumSize(260, 170);
  plotLayout()->insertRow(0);
  auto* heading = new QCPTextElement(this, title, QFont(font().family(), 10, QFont::Bold));
  plotLayout()->addElement(0, 0, heading);
  xAxis->setLabel(xLabel);
  yAxis->setLabel(yLabel);
  legend->setVisible(false);
  QFont small = font();
  small.setPointSize(7);
  legend->setFont(small);
  legend->setIconSize(18, 8);
  legend->setRowSpacing(-2);
  legend->setBrush(Qt::NoBrush);
  legend->setBorderPen(Qt::NoPen);
  // The legend sits in its own row under the axes, entries side by side: it never covers a curve.
  axisRect()->insetLayout()->take(legend);
  plotLayout()->addElement(2, 0, legend);
  plotLayout()->setRowStretchFactor(2, 0.001);
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend->setWrap(3);
  legend->setMargins(QMargins(4, 0, 4, 2));
  setNoAntialiasingOnDrag(true);
  setMouseTracking(true);
  // Point markers (the validation's circles) only where they can be told apart: over ~150
  // points in view they merge into a band, so the line alone is drawn until the user zooms in.
  connect(this, &QCustomPlot::beforeReplot, this, [this] {
    QHash<QCPGraph*, QCPScatterStyle> current;  // graphs removed since are forgotten
    for (int i = 0; i < graphCount(); ++i) {
      QCPGraph* g = graph(i);
      if (markers_.contains(g)) current.insert(g, markers_.value(g));
      else if (g->scatterStyle().shape() != QCPScatterStyle::ssNone) current.insert(g, g->scatterStyle());
    }
    markers_ = current;
    for (int i = 0; i < graphCount(); ++i) {
      QCPGraph* g = graph(i);
      if (!markers_.contains(g)) continue;
      const QCPRange r = g->keyAxis()->range();
      const int inView = int(g->data()->findEnd(r.upper, false) - g->data()->findBegin(r.lower, false));
      g->setScatterStyle(inView > kMaxMarkers ? QCPScatterStyle(QCPScatterStyle::ssNone) : markers_.value(g));
    }
  });
  setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
  axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
}

QCPGraph* MonitorPlot::addLine(const QString& name, const QColor& color, Qt::PenStyle style,
                               double width) {
  QCPGraph* g = addGraph();
  g->setName(name);
  QPen pen(color, width, style);
  g->setPen(pen);
  // 250,000 steps are drawn as a few points per pixel column (min/max kept, so spikes show);
  // the data, and what hover reads, stay whole.
  g->setAdaptiveSampling(true);
  legend->setVisible(graphCount() > 1);
  return g;
}

bool MonitorPlot::saveTo(const QString& path) {
  if (path.endsWith(".pdf", Qt::CaseInsensitive)) return savePdf(path, 800, 500);
  return savePng(path, 800, 500);
}

QString MonitorPlot::hoverText(const QPoint& pos) const {
  double bestDist = 12.0;  // pixels: nearer than this counts as hovering a point
  QString text;
  for (int i = 0; i < graphCount(); ++i) {
    QCPGraph* g = graph(i);
    if (!g->visible() || g->dataCount() == 0) continue;
    const double key = g->keyAxis()->pixelToCoord(pos.x());
    auto it = g->data()->findBegin(key, true);
    for (int k = 0; k < 2 && it != g->data()->constEnd(); ++k, ++it) {
      const double px = g->keyAxis()->coordToPixel(it->key);
      const double py = g->valueAxis()->coordToPixel(it->value);
      const double d = std::hypot(px - pos.x(), py - pos.y());
      if (d < bestDist) {
        bestDist = d;
        text = QString("%1\n%2 = %3\n%4 = %5")
                   .arg(g->name(), xAxis->label())
                   .arg(it->key, 0, 'g', 6)
                   .arg(yAxis->label())
                   .arg(it->value, 0, 'g', 5);
      }
    }
  }
  return text;
}

void MonitorPlot::mouseMoveEvent(QMouseEvent* event) {
  QCustomPlot::mouseMoveEvent(event);
  // A drag (beyond a click's jitter) pans: the view is the user's from now on.
  if ((event->buttons() & Qt::LeftButton) && (event->pos() - pressPos_).manhattanLength() > 3) followsData_ = false;
  const QString text = hoverText(event->pos());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void MonitorPlot::mousePressEvent(QMouseEvent* event) {
  pressPos_ = event->pos();
  QCustomPlot::mousePressEvent(event);
}

void MonitorPlot::wheelEvent(QWheelEvent* event) {
  QCustomPlot::wheelEvent(event);  // the axis under the cursor, or both over the plot
  followsData_ = false;
}

void MonitorPlot::mouseDoubleClickEvent(QMouseEvent* event) {
  QCustomPlot::mouseDoubleClickEvent(event);
  if (event->button() == Qt::LeftButton) resetView();
}

void MonitorPlot::resetView() {
  followsData_ = true;
  rescaleAxes();
  Q_EMIT viewReset();
  replot(rpQueuedReplot);
}

void MonitorPlot::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  QAction* png = menu.addAction(tr("Save as PNG…"));
  QAction* pdf = menu.addAction(tr("Save as PDF…"));
  QAction* chosen = menu.exec(event->globalPos());
  if (!chosen) return;
  const bool asPdf = chosen == pdf;
  Q_UNUSED(png);
  QString path = QFileDialog::getSaveFileName(this, tr("Save plot"), title_ + (asPdf ? ".pdf" : ".png"),
                                              asPdf ? tr("PDF (*.pdf)") : tr("PNG image (*.png)"));
  if (!path.isEmpty()) saveTo(path);
}

}  // namespace vwb::ui
