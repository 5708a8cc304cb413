#include "ui/common/ElidedLabel.h"

#include <QResizeEvent>

namespace vwb::ui {

ElidedLabel::ElidedLabel(const QString& text, QWidget* parent) : QLabel(parent) {
  setTextFormat(Qt::PlainText);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  setText(text);
}

void ElidedLabel::setText(const QString& text) {
  full_ = text;
  elide();
}

QSize ElidedLabel::minimumSizeHint() const { return {fontMetrics().averageCharWidth() * 6, QLabel::minimumSizeHint().height()}; }

// Asks for the whole text up to a bound, so a short text is not elided in a roomy layout.
QSize ElidedLabel::sizeHint() const {
  return {std::min(fontMetrics().horizontalAdvance(full_) + 8, fontMetrics().averageCharWidth() * 60),
          QLabel::sizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
  QLabel::resizeEvent(event);
  elide();
}

void ElidedLabel::elide() {
  const QString shown = fontMetrics().elidedText(full_, Qt::ElideMiddle, std::max(0, contentsRect().width()));
  QLabel::setText(shown);
  setToolTip(shown == full_ ? QString() : full_);
}

}  // namespace vwb::ui
