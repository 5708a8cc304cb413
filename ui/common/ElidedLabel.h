#pragma once
// A one-line label for text of any length (status lines, paths, task titles): it shows what
// fits and ends in "…", the whole text in its tooltip, and never asks its window to be wider
// than a few characters — a long message must not widen the window past the screen.
#include <QLabel>

namespace vwb::ui {

class ElidedLabel : public QLabel {
  Q_OBJECT
 public:
  explicit ElidedLabel(const QString& text = {}, QWidget* parent = nullptr);
  void setText(const QString& text);  // plain text
  const QString& fullText() const { return full_; }
  QSize minimumSizeHint() const override;
  QSize sizeHint() const override;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void elide();
  QString full_;
};

}  // namespace vwb::ui
