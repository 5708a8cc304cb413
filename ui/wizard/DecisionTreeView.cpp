#include "ui/wizard/DecisionTreeView.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace vwb::ui {

namespace {
const QColor kPath(25, 95, 190);
const QColor kPathFill(225, 236, 252);
const QColor kDim(160, 160, 160);
const QColor kDimFill(246, 246, 246);
const QColor kReason(90, 90, 90);
constexpr int kNodeW = 250, kNodeH = 46, kRowGap = 44, kMargin = 12;
constexpr int kLeafW = 190, kLeafH = 86, kLeafGap = 14;

QString strategyTitle(StrategyKind k) {
  switch (k) {
    case StrategyKind::Single: return QObject::tr("Single device");
    case StrategyKind::DataParallel: return QObject::tr("DataParallel");
    case StrategyKind::Ddp: return QObject::tr("DDP");
    case StrategyKind::Auto: break;
  }
  return QObject::tr("Auto");
}
}  // namespace

struct DecisionTreeView::Layout {
  std::vector<QRect> nodes, reasons, leaves;
  QSize size;
};

DecisionTreeView::DecisionTreeView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void DecisionTreeView::setPlan(const Plan& plan) {
  path_ = plan.path;
  options_ = plan.options;
  chosen_ = plan.config.strategy;
  updateGeometry();
  update();
}

DecisionTreeView::Layout DecisionTreeView::layout() const {
  Layout l;
  const int leavesW = static_cast<int>(options_.size()) * (kLeafW + kLeafGap) - kLeafGap;
  const int width = std::max({this->width(), leavesW + 2 * kMargin, kNodeW + 260});
  const int x = kMargin + 20;
  int y = kMargin;
  for (size_t i = 0; i < path_.size(); ++i) {
    l.nodes.emplace_back(x, y, kNodeW, kNodeH);
    l.reasons.emplace_back(x + kNodeW + 16, y - 4, std::max(160, width - x - kNodeW - 16 - kMargin), kNodeH + kRowGap - 8);
    y += kNodeH + kRowGap;
  }
  int lx = kMargin;
  for (size_t i = 0; i < options_.size(); ++i) {
    l.leaves.emplace_back(lx, y, kLeafW, kLeafH);
    lx += kLeafW + kLeafGap;
  }
  l.size = QSize(width, y + kLeafH + kMargin);
  return l;
}

QSize DecisionTreeView::sizeHint() const { return layout().size; }

QStringList DecisionTreeView::describe() const {
  QStringList out;
  for (const DecisionStep& s : path_)
    out << QString::fromStdString(s.question + " -> " + s.answer + " (" + s.reason + ")");
  for (const StrategyOption& o : options_)
    out << QString("%1%2: %3 [%4]")
               .arg(o.kind == chosen_ ? "* " : "  ", strategyTitle(o.kind),
                    QString::fromStdString(o.summary), QString::fromStdString(o.cost));
  return out;
}

void DecisionTreeView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), Qt::white);
  const Layout l = layout();
  QFont base = font();
  QFont bold = base;
  bold.setBold(true);
  QFont small = base;
  small.setPointSizeF(base.pointSizeF() * 0.9);

  auto box = [&](const QRect& r, bool on) {
    p.setPen(QPen(on ? kPath : kDim, on ? 2.2 : 1.0));
    p.setBrush(on ? kPathFill : kDimFill);
    p.drawRoundedRect(r, 7, 7);
  };

  // Question nodes along the taken path, each edge labelled with the answer taken.
  for (size_t i = 0; i < path_.size(); ++i) {
    const QRect& r = l.nodes[i];
    box(r, true);
    p.setPen(Qt::black);
    p.setFont(bold);
    p.drawText(r.adjusted(8, 2, -8, -2), Qt::AlignCenter | Qt::TextWordWrap,
               QString::fromStdString(path_[i].question));
    p.setFont(small);
    p.setPen(kReason);
    p.drawText(l.reasons[i], Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
               QString::fromStdString(path_[i].reason));
    // Edge to the next node (or to the leaves), with the answer on it.
    const QPoint from(r.center().x(), r.bottom());
    const QPoint to(r.center().x(), r.bottom() + kRowGap);
    if (i + 1 < path_.size()) {
      p.setPen(QPen(kPath, 3));
      p.drawLine(from, to);
    }
    p.setFont(bold);
    p.setPen(kPath);
    p.drawText(QRect(from.x() + 8, from.y() + 2, kNodeW, kRowGap - 4), Qt::AlignLeft | Qt::AlignVCenter,
               "→ " + QString::fromStdString(path_[i].answer));
  }

  // Leaves: every strategy; the taken edge thick, the others thin and dimmed.
  const QPoint root = l.nodes.empty() ? QPoint(width() / 2, kMargin)
                                      : QPoint(l.nodes.back().center().x(), l.nodes.back().bottom());
  for (size_t i = 0; i < options_.size(); ++i) {
    const StrategyOption& o = options_[i];
    const bool on = o.kind == chosen_;
    const QRect& r = l.leaves[i];
    QPainterPath edge(root);
    edge.cubicTo(root + QPoint(0, kRowGap / 2), QPoint(r.center().x(), r.top() - kRowGap / 2),
                 QPoint(r.center().x(), r.top()));
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(on ? kPath : kDim, on ? 3 : 1, on ? Qt::SolidLine : Qt::DashLine));
    p.drawPath(edge);
    box(r, on);
    p.setPen(on ? Qt::black : QColor(110, 110, 110));
    p.setFont(bold);
    QString title = strategyTitle(o.kind);
    if (o.recommended) title += QString::fromUtf8("  ★");
    p.drawText(r.adjusted(8, 4, -8, 0), Qt::AlignTop | Qt::AlignHCenter, title);
    p.setFont(small);
    QString body = QString("×%1 speed").arg(o.estimatedSpeedup, 0, 'f', 1);
    if (!o.cost.empty()) body += "\n" + QString::fromStdString(o.cost);
    p.drawText(r.adjusted(6, 24, -6, -4), Qt::AlignTop | Qt::AlignHCenter | Qt::TextWordWrap, body);
  }
}

void DecisionTreeView::mousePressEvent(QMouseEvent* event) {
  const Layout l = layout();
  for (size_t i = 0; i < l.leaves.size(); ++i)
    if (l.leaves[i].contains(event->pos())) Q_EMIT strategyClicked(static_cast<int>(i));
}

}  // namespace vwb::ui
