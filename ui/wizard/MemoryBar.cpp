#include "ui/wizard/MemoryBar.h"

#include <QPainter>

#include "ui/common/Format.h"

namespace vwb::ui {

MemoryBar::MemoryBar(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(22);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void MemoryBar::setBudget(const DeviceBudget& budget, double safetyMargin) {
  budget_ = budget;
  margin_ = safetyMargin;
  const double cap = static_cast<double>(budget.capacityBytes);
  const double est = static_cast<double>(budget.estimatedBytes);
  // Red from the safety line on: the planner would no longer pick this, and allocator
  // fragmentation makes the last margin unusable in practice.
  if (cap <= 0 || est > cap * (1.0 - margin_)) level_ = Level::TooBig;
  else if (est > cap * (1.0 - 2 * margin_)) level_ = Level::Tight;
  else level_ = Level::Fits;
  setToolTip(text());
  update();
}

QColor MemoryBar::color() const {
  switch (level_) {
    case Level::Fits: return QColor(60, 160, 80);
    case Level::Tight: return QColor(230, 150, 20);
    case Level::TooBig: return QColor(210, 40, 40);
  }
  return Qt::gray;
}

QString MemoryBar::text() const {
  return QString("%1: %2 of %3")
      .arg(QString::fromStdString(budget_.device), formatBytes(budget_.estimatedBytes),
           formatBytes(budget_.capacityBytes));
}

void MemoryBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QRect r = rect().adjusted(0, 0, -1, -1);
  p.fillRect(r, QColor(235, 235, 235));
  const double cap = std::max<double>(1.0, static_cast<double>(budget_.capacityBytes));
  const double share = std::min(1.0, budget_.estimatedBytes / cap);
  p.fillRect(QRect(r.left(), r.top(), static_cast<int>(r.width() * share), r.height()), color());
  const int safeX = r.left() + static_cast<int>(r.width() * (1.0 - margin_));
  p.setPen(QPen(QColor(60, 60, 60), 1, Qt::DashLine));
  p.drawLine(safeX, r.top(), safeX, r.bottom());
  p.setPen(QColor(40, 40, 40));
  p.drawRect(r);
  p.setPen(Qt::black);
  p.drawText(r.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, text());
}

}  // namespace vwb::ui
