#pragma once
// Measures how long the GUI event loop stays blocked: a 5 ms timer notes the largest gap
// between its ticks, and counts the ticks taken while a condition held (e.g. "the scan is still
// running"). The gap is a number to print (it depends on the machine's load); a tick taken
// while the work was still going is the load-independent proof that the work did not block
// the GUI thread.
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <functional>

namespace vwbtest {

class StallMeter {
 public:
  explicit StallMeter(std::function<bool()> busy = {}) : busy_(std::move(busy)) {
    timer_.setInterval(5);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      longest_ = std::max<qint64>(longest_, clock_.restart());
      if (busy_ && busy_()) ++busyTicks_;
    });
    clock_.start();
    timer_.start();
  }
  void stop() {
    longest_ = std::max<qint64>(longest_, clock_.elapsed());
    timer_.stop();
  }
  int longestMs() const { return static_cast<int>(longest_); }
  int ticksWhileBusy() const { return busyTicks_; }

 private:
  std::function<bool()> busy_;
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 longest_ = 0;
  int busyTicks_ = 0;
};

}  // namespace vwbtest
