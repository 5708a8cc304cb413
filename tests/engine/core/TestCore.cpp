#include <QtTest>

#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

class TestCore : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void shapeParsesCubeAndTriple() {
    QCOMPARE(vwb::Shape3::parse("64"), (vwb::Shape3{64, 64, 64}));
    QCOMPARE(vwb::Shape3::parse("32x48x64"), (vwb::Shape3{32, 48, 64}));
    QCOMPARE(vwb::Shape3::parse("32x48x64").str(), std::string("32x48x64"));
  }
  void shapeRejectsGarbage() {
    for (const char* bad : {"", "x", "12x", "1x2", "1x2x3x4", "0", "-4", "a"})
      QVERIFY_THROWS_EXCEPTION(vwb::Error, vwb::Shape3::parse(bad));
  }
  void volumeIndexIsZMajor() {
    vwb::VolumeU8 v({2, 3, 4});
    QCOMPARE(v.size(), size_t(24));
    v.at(1, 2, 3) = 7;
    QCOMPARE(v.data[23], uint8_t(7));
    QCOMPARE(v.index(1, 0, 0), size_t(12));
  }
  void cancelTokenThrows() {
    vwb::CancelToken t;
    t.throwIfCancelled();
    t.cancel();
    QVERIFY_THROWS_EXCEPTION(vwb::Cancelled, t.throwIfCancelled());
  }
};

QTEST_APPLESS_MAIN(TestCore)
#include "TestCore.moc"
