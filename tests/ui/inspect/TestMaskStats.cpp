// Foreground fraction and 26-connected component count of a mask.
#include <QtTest>

#include "ui/inspect/MaskStats.h"

using namespace vwb;

class TestMaskStats : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void emptyMaskHasNoComponents() {
    const auto s = inspect::maskStats(VolumeU8({4, 5, 6}));
    QCOMPARE(s.components, int64_t(0));
    QCOMPARE(s.foregroundFraction, 0.0);
  }

  void countsTwentySixConnectedPieces() {
    VolumeU8 m({10, 10, 10});
    m.at(1, 1, 1) = 1;
    m.at(2, 2, 2) = 1;  // touches the first only by a corner: same component
    m.at(7, 7, 7) = 255;
    m.at(7, 7, 8) = 1;  // a second piece
    for (int x = 0; x < 10; ++x) m.at(9, 0, x) = 1;  // a third, along the border
    const auto s = inspect::maskStats(m);
    QCOMPARE(s.components, int64_t(3));
    QCOMPARE(s.foregroundFraction, 14.0 / 1000.0);
  }

  void fullVolumeIsOneComponent() {
    const auto s = inspect::maskStats(VolumeU8({8, 8, 8}, 1));
    QCOMPARE(s.components, int64_t(1));
    QCOMPARE(s.foregroundFraction, 1.0);
  }
};

QTEST_MAIN(TestMaskStats)
#include "TestMaskStats.moc"
