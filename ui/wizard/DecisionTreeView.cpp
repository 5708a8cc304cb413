#include "ui/wizard/DecisionTreeView.h"

#include <QAbstractScrollArea>
#include <QCoreApplication>
#include <QKeyEvent>
#include <QWheelEvent>
#include <QMouseEvent>
#include <QScrollBar>
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
constexpr int kLeafW = 230, kLeafGap = 14, kAnswerH = 20, kBranchExtra = 16;

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
  std::vector<QRect> answers;  // under each node and its reason, where the taken answer is written
  int branchY = 0;             // where the alternatives' edges leave the spine
  int strategyStep = -1;  // the node the strategies hang from (-1: after the last node)
  int chosenLeaf = -1;
  QSize size;
};

DecisionTreeView::DecisionTreeView(QWidget* parent) : QWidget(parent) {
  // Height for width: the scroll area that holds the tree then makes it as tall as its text
  // wrapped at the visible width, and scrolls it (wheel, scroll bar, PageDown, drag).
  QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
  setFocusPolicy(Qt::StrongFocus);
}

int DecisionTreeView::heightForWidth(int width) const { return layout(width).size.height(); }

void DecisionTreeView::setPlan(const Plan& plan) {
  path_ = plan.path;
  options_ = plan.options;
  chosen_ = plan.config.distributed.strategy;
  updateGeometry();
  update();
}

namespace {
QString leafBody(const StrategyOption& o) {
  QString body = QObject::tr("×%1 the speed of one device").arg(o.estimatedSpeedup, 0, 'f', 1);
  if (!o.cost.empty()) body += "\n" + QString::fromStdString(o.cost);
  return body;
}
}  // namespace

// The path runs down a spine; the strategies hang as a row of leaves under the step that asks
// for the strategy, the chosen leaf on the spine, and the path continues from it.
DecisionTreeView::Layout DecisionTreeView::layout(int viewWidth) const {
  Layout l;
  for (size_t i = 0; i < path_.size(); ++i)
    if (QString::fromStdString(path_[i].question).contains("strategy", Qt::CaseInsensitive)) l.strategyStep = int(i);
  if (l.strategyStep < 0) l.strategyStep = int(path_.size()) - 1;
  for (size_t i = 0; i < options_.size(); ++i)
    if (options_[i].kind == chosen_) l.chosenLeaf = int(i);

  QFont small = font();
  small.setPointSizeF(font().pointSizeF() * 0.85);
  const QFontMetrics fm(small);
  const int leafH = [&] {
    int h = 0;
    for (const StrategyOption& o : options_)
      h = std::max(h, fm.boundingRect(QRect(0, 0, kLeafW - 12, 1000), Qt::TextWordWrap, leafBody(o)).height());
    return h + 30;
  }();

  const int width = std::max(viewWidth, kNodeW + 2 * kMargin + 300);
  const int spineX = kMargin + std::max(kNodeW, kLeafW) / 2;
  const int reasonX = spineX + kNodeW / 2 + 16;
  const int reasonW = std::max(200, width - reasonX - kMargin);
  int y = kMargin;
  auto addLeaves = [&] {
    // Chosen leaf on the spine, the alternatives to its right.
    int x = spineX + kLeafW / 2 + kLeafGap;
    l.leaves.assign(options_.size(), QRect());
    for (size_t i = 0; i < options_.size(); ++i) {
      if (int(i) == l.chosenLeaf) l.leaves[i] = QRect(spineX - kLeafW / 2, y, kLeafW, leafH);
      else {
        l.leaves[i] = QRect(x, y, kLeafW, leafH);
        x += kLeafW + kLeafGap;
      }
    }
    y += leafH + kRowGap;
  };
  for (size_t i = 0; i < path_.size(); ++i) {
    l.nodes.emplace_back(spineX - kNodeW / 2, y, kNodeW, kNodeH);
    const int reasonH = std::max(kNodeH, fm.boundingRect(QRect(0, 0, reasonW, 1000), Qt::TextWordWrap,
                                                         QString::fromStdString(path_[i].reason)).height());
    l.reasons.emplace_back(reasonX, y, reasonW, reasonH);
    y += std::max(kNodeH, reasonH);
    l.answers.emplace_back(spineX + 8, y + 2, width - spineX - 8 - kMargin, kAnswerH);
    y += kRowGap;
    if (int(i) == l.strategyStep) {
      l.branchY = y - kRowGap + kAnswerH + 6;
      y += kBranchExtra;  // room for the alternatives' edges below the answer
      addLeaves();
    }
  }
  if (path_.empty()) addLeaves();
  int right = width;
  for (const QRect& r : l.leaves) right = std::max(right, r.right() + kMargin);
  l.size = QSize(right, y - kRowGap + kMargin);
  return l;
}

QSize DecisionTreeView::sizeHint() const { return layout(width()).size; }

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
  const Layout l = layout(width());
  QFont bold = font();
  bold.setBold(true);
  QFont small = font();
  small.setPointSizeF(font().pointSizeF() * 0.85);

  auto box = [&](const QRect& r, bool on) {
    p.setPen(QPen(on ? kPath : kDim, on ? 2.2 : 1.0));
    p.setBrush(on ? kPathFill : kDimFill);
    p.drawRoundedRect(r, 7, 7);
  };
  auto answer = [&](QPoint at, int height, const std::string& text) {
    p.setFont(bold);
    p.setPen(kPath);
    p.drawText(QRect(at.x(), at.y(), width() - at.x(), height), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromUtf8("→ ") + QString::fromStdString(text));
  };

  // Edges of the spine first, so boxes paint over their ends.
  p.setPen(QPen(kPath, 3));
  for (size_t i = 0; i + 1 < l.nodes.size(); ++i) {
    const QPoint from(l.nodes[i].center().x(), l.nodes[i].bottom());
    if (int(i) == l.strategyStep && l.chosenLeaf >= 0) {
      const QRect& leaf = l.leaves[l.chosenLeaf];
      p.drawLine(QPoint(leaf.center().x(), leaf.bottom()), QPoint(l.nodes[i + 1].center().x(), l.nodes[i + 1].top()));
    } else {
      p.drawLine(from, QPoint(l.nodes[i + 1].center().x(), l.nodes[i + 1].top()));
    }
  }
  // Strategy edges: the chosen one thick, the alternatives dashed.
  if (!l.leaves.empty()) {
    const QPoint root = l.strategyStep >= 0 && l.strategyStep < int(l.nodes.size())
                            ? QPoint(l.nodes[l.strategyStep].center().x(), l.nodes[l.strategyStep].bottom())
                            : QPoint(l.leaves[0].center().x(), l.leaves[0].top() - kRowGap);
    for (size_t i = 0; i < options_.size(); ++i) {
      const bool on = int(i) == l.chosenLeaf;
      const QRect& r = l.leaves[i];
      QPainterPath edge(root);
      if (on) {
        edge.lineTo(r.center().x(), r.top());
      } else {
        // Alternatives branch off the spine below the answer text, clear of every label.
        edge.moveTo(root.x(), l.branchY);
        edge.cubicTo(QPoint(r.center().x(), l.branchY), QPoint(r.center().x(), l.branchY),
                     QPoint(r.center().x(), r.top()));
      }
      p.setBrush(Qt::NoBrush);
      p.setPen(QPen(on ? kPath : kDim, on ? 3 : 1, on ? Qt::SolidLine : Qt::DashLine));
      p.drawPath(edge);
    }
  }
  for (size_t i = 0; i < path_.size(); ++i) {
    const QRect& r = l.nodes[i];
    box(r, true);
    p.setPen(Qt::black);
    p.setFont(bold);
    p.drawText(r.adjusted(8, 2, -8, -2), Qt::AlignCenter | Qt::TextWordWrap, QString::fromStdString(path_[i].question));
    p.setFont(small);
    p.setPen(kReason);
    p.drawText(l.reasons[i], Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, QString::fromStdString(path_[i].reason));
    answer(l.answers[i].topLeft(), l.answers[i].height(), path_[i].answer);
  }
  for (size_t i = 0; i < options_.size(); ++i) {
    const StrategyOption& o = options_[i];
    const bool on = int(i) == l.chosenLeaf;
    const QRect& r = l.leaves[i];
    box(r, on);
    p.setPen(on ? Qt::black : QColor(110, 110, 110));
    p.setFont(bold);
    QString title = strategyTitle(o.kind);
    if (o.recommended) title += QString::fromUtf8("  ★");
    p.drawText(r.adjusted(8, 5, -8, 0), Qt::AlignTop | Qt::AlignHCenter, title);
    p.setFont(small);
    p.drawText(r.adjusted(6, 26, -6, -4), Qt::AlignTop | Qt::AlignHCenter | Qt::TextWordWrap, leafBody(o));
  }
}

void DecisionTreeView::mousePressEvent(QMouseEvent* event) {
  const Layout l = layout(width());
  for (size_t i = 0; i < l.leaves.size(); ++i)
    if (l.leaves[i].contains(event->pos())) {
      Q_EMIT strategyClicked(static_cast<int>(i));
      return;
    }
  dragFrom_ = event->globalPosition().toPoint();
  dragging_ = event->button() == Qt::LeftButton;
  if (dragging_) setCursor(Qt::ClosedHandCursor);
}

QAbstractScrollArea* DecisionTreeView::scrollArea() const {
  return parentWidget() ? qobject_cast<QAbstractScrollArea*>(parentWidget()->parentWidget()) : nullptr;
}

// The tree scrolls its scroll area itself (wheel, PgUp/PgDn, Home/End) rather than relying on
// events reaching it, so it scrolls wherever the pointer or the focus is on it.
void DecisionTreeView::wheelEvent(QWheelEvent* event) {
  if (QAbstractScrollArea* area = scrollArea()) QCoreApplication::sendEvent(area->verticalScrollBar(), event);
  else QWidget::wheelEvent(event);
}

void DecisionTreeView::keyPressEvent(QKeyEvent* event) {
  QAbstractScrollArea* area = scrollArea();
  const auto action = event->key() == Qt::Key_PageDown ? QAbstractSlider::SliderPageStepAdd
                      : event->key() == Qt::Key_PageUp ? QAbstractSlider::SliderPageStepSub
                      : event->key() == Qt::Key_Down   ? QAbstractSlider::SliderSingleStepAdd
                      : event->key() == Qt::Key_Up     ? QAbstractSlider::SliderSingleStepSub
                      : event->key() == Qt::Key_Home   ? QAbstractSlider::SliderToMinimum
                      : event->key() == Qt::Key_End    ? QAbstractSlider::SliderToMaximum
                                                       : QAbstractSlider::SliderNoAction;
  if (!area || action == QAbstractSlider::SliderNoAction) return QWidget::keyPressEvent(event);
  area->verticalScrollBar()->triggerAction(action);
}

// Dragging the background pans the scroll area the tree sits in (a viewport's parent).
void DecisionTreeView::mouseMoveEvent(QMouseEvent* event) {
  QAbstractScrollArea* area = scrollArea();
  if (!dragging_ || !area) return;
  const QPoint now = event->globalPosition().toPoint();
  const QPoint delta = now - dragFrom_;
  dragFrom_ = now;
  area->verticalScrollBar()->setValue(area->verticalScrollBar()->value() - delta.y());
  area->horizontalScrollBar()->setValue(area->horizontalScrollBar()->value() - delta.x());
}

void DecisionTreeView::mouseReleaseEvent(QMouseEvent*) {
  dragging_ = false;
  unsetCursor();
}

}  // namespace vwb::ui
