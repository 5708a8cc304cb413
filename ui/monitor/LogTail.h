#pragma once
// A live tail of a growing text file (RUN/logs/training.log): polls its size, appends what is
// new, keeps the last few thousand lines. Reading is incremental, so a long log costs nothing.
#include <QPlainTextEdit>
#include <QTimer>

namespace vwb::ui {

class LogTail : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit LogTail(QWidget* parent = nullptr);
  void follow(const QString& path);  // starts over on a new file; empty stops following
  void stop() { timer_.stop(); }
  const QString& path() const { return path_; }
  void poll();  // reads what was appended since the last poll (also called by the timer)

 Q_SIGNALS:
  void linesAppended(const QStringList& lines);

 private:
  QString path_;
  qint64 offset_ = 0;
  QByteArray partial_;  // an unfinished last line, kept until its newline arrives
  QTimer timer_;
};

}  // namespace vwb::ui
