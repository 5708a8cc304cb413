// Checkpoints are verified on load: a content checksum (a bit flipped in a weight is refused) and
// the recorded architecture against every tensor's name and shape. Files without a checksum
// (older vwb) still load, reported as not checksummed.
#include <QtTest>

#include "CheckpointFiles.h"
#include "TestSupport.h"

namespace {
vwb::ModelConfig config(int levels, int base) {
  vwb::ModelConfig c;
  c.levels = levels;
  c.baseChannels = base;
  return c;
}
}  // namespace

class TestCheckpointIntegrity : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  std::string path(const char* name) { return tmp_.filePath(name).toStdString(); }

 private Q_SLOTS:
  void sealedCheckpointLoads() {
    const std::string p = path("good.pt");
    checkpointfiles::write(p, config(2, 4), config(2, 4), true);
    bool checksummed = false;
    QCOMPARE(checkpointfiles::load(p, &checksummed), std::string());
    QVERIFY(checksummed);
  }

  void aFlippedBitIsRefused() {
    const std::string p = path("flipped.pt");
    checkpointfiles::write(p, config(2, 4), config(2, 4), true);
    QVERIFY(checkpointfiles::flipWeightBit(p, config(2, 4)));
    const std::string e = checkpointfiles::load(p);
    QVERIFY2(e.find(p) != std::string::npos && e.find("is damaged") != std::string::npos &&
                 e.find("checksum") != std::string::npos, e.c_str());
  }

  void olderCheckpointWithoutChecksumLoads() {
    const std::string p = path("old.pt");
    checkpointfiles::write(p, config(2, 4), config(2, 4), false);
    bool checksummed = true;
    QCOMPARE(checkpointfiles::load(p, &checksummed), std::string());
    QVERIFY(!checksummed);
  }

  // Levels 2 recorded, levels-3 weights: refused, checksum or not (the checksum only proves the
  // file is as written, not that it was written consistently).
  void weightsOfAnotherArchitectureAreRefused() {
    for (bool sealed : {true, false}) {
      const std::string p = path(sealed ? "levels-sealed.pt" : "levels-old.pt");
      checkpointfiles::write(p, config(2, 4), config(3, 4), sealed);
      const std::string e = checkpointfiles::load(p);
      QVERIFY2(e.find(p) != std::string::npos && e.find("do not match the model it records") != std::string::npos &&
                   e.find("which the recorded model does not have") != std::string::npos,
               e.c_str());
    }
    const std::string p = path("channels.pt");
    checkpointfiles::write(p, config(2, 4), config(2, 8), true);
    const std::string e = checkpointfiles::load(p);
    QVERIFY2(e.find("the recorded model needs") != std::string::npos, e.c_str());
  }
};

QTEST_APPLESS_MAIN(TestCheckpointIntegrity)
#include "TestCheckpointIntegrity.moc"
