#include "ui/monitor/LogTail.h"

#include <QFile>
#include <QFontDatabase>
#include <QScrollBar>

namespace vwb::ui {

LogTail::LogTail(QWidget* parent) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setMaximumBlockCount(3000);
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setLineWrapMode(QPlainTextEdit::WidgetWidth);
  setPlaceholderText(tr("training.log appears here while a run is open"));
  timer_.setInterval(400);
  connect(&timer_, &QTimer::timeout, this, &LogTail::poll);
}

void LogTail::follow(const QString& path) {
  clear();
  path_ = path;
  offset_ = 0;
  partial_.clear();
  if (path.isEmpty()) {
    timer_.stop();
    return;
  }
  poll();
  timer_.start();
}

void LogTail::poll() {
  QFile f(path_);
  if (path_.isEmpty() || !f.open(QIODevice::ReadOnly)) return;  // not written yet
  if (f.size() < offset_) {  // truncated or replaced: start over
    clear();
    offset_ = 0;
    partial_.clear();
  }
  if (f.size() == offset_) return;
  f.seek(offset_);
  QByteArray chunk = partial_ + f.readAll();
  offset_ = f.pos();
  const int lastNewline = chunk.lastIndexOf('\n');
  partial_ = chunk.mid(lastNewline + 1);
  if (lastNewline < 0) return;
  const QString text = QString::fromUtf8(chunk.left(lastNewline));
  const QStringList lines = text.split('\n');
  const bool atBottom = verticalScrollBar()->value() >= verticalScrollBar()->maximum() - 2;
  for (const QString& line : lines) appendPlainText(line);
  if (atBottom) verticalScrollBar()->setValue(verticalScrollBar()->maximum());
  Q_EMIT linesAppended(lines);
}

}  // namespace vwb::ui
