#pragma once
// Measures how long the GUI event loop stays blocked: a 5 ms timer notes the largest gap
// between its ticks. A responsive window keeps the gap near the interval.
#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>

namespace vwbtest {

class StallMeter {
 public:
  StallMeter() {
    timer_.setInterval(5);
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      longest_ = std::max<qint64>(longest_, clock_.restart());
    });
    clock_.start();
    timer_.start();
  }
  void stop() {
    longest_ = std::max<qint64>(longest_, clock_.elapsed());
    timer_.stop();
  }
  int longestMs() const { return static_cast<int>(longest_); }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 longest_ = 0;
};

}  // namespace vwbtest
