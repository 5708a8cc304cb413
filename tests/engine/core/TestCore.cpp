#include <QtTest>

#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

#include "engine/core/DeviceName.h"
#include "engine/core/Error.h"
#include "engine/core/HeapReuse.h"
#include "engine/core/Reporting.h"
#include "engine/core/TextFile.h"
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
  // One torch-free parser of device names for the planner, inference and training
  // (DeviceName.h): what each name means, and malformed names refused naming them.
  void deviceNamesParseAlike() {
    struct Case {
      const char* name;
      bool cuda;
      int index;
    };
    for (const Case& c : {Case{"cpu", false, -1}, Case{"cpu:0", false, 0}, Case{"cpu:4", false, 4},
                          Case{"cuda", true, 0}, Case{"cuda:0", true, 0}, Case{"cuda:12", true, 12}}) {
      const vwb::DeviceName d = vwb::parseDeviceName(c.name);
      QCOMPARE(d.cuda, c.cuda);
      QCOMPARE(d.index, c.index);
    }
    for (const char* bad : {"", "gpu", "cpu:", "cpu:x", "cpu:1x", "cuda:", "cuda:-1", "cuda:1 ", "CUDA:0",
                            "cuda:99999999999", "mps"}) {
      try {
        vwb::parseDeviceName(bad);
        QFAIL(qPrintable(QString("accepted '%1'").arg(bad)));
      } catch (const vwb::Error& e) {
        QVERIFY2(std::string(e.what()).find(std::string("'") + bad + "'") != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find("expected cpu, cpu:N or cuda:I") != std::string::npos, e.what());
      }
    }
    vwb::requireVisibleGpu("cpu:2", vwb::parseDeviceName("cpu:2"), 0);  // a CPU needs no GPU
    vwb::requireVisibleGpu("cuda:1", vwb::parseDeviceName("cuda:1"), 2);
    for (int visible : {0, 1}) {
      try {
        vwb::requireVisibleGpu("cuda:1", vwb::parseDeviceName("cuda:1"), visible);
        QFAIL("cuda:1 accepted without a second GPU");
      } catch (const vwb::Error& e) {
        QVERIFY2(std::string(e.what()).find("cuda:1") != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find(visible ? "only 1 CUDA device(s)" : "no GPU is visible") != std::string::npos,
                 e.what());
      }
    }
  }

  // The one whole-file reader (TextFile.h): bytes as they are (binary too), and a file that
  // cannot be read is named with what it is for and why.
  void wholeFileReadsNameTheFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("bytes.bin").toStdString();
    const std::string bytes("a\0b\r\n\xff", 6);
    {
      QFile f(QString::fromStdString(path));
      QVERIFY(f.open(QIODevice::WriteOnly));
      QCOMPARE(f.write(bytes.data(), qint64(bytes.size())), qint64(bytes.size()));
    }
    QCOMPARE(vwb::readWholeFile(path), bytes);
    const std::string missing = dir.filePath("missing.json").toStdString();
    try {
      vwb::readWholeFile(missing, "the split");
      QFAIL("a missing file was read");
    } catch (const vwb::Error& e) {
      const std::string what = e.what();
      QVERIFY2(what.find(missing) != std::string::npos && what.find("cannot read the split") != std::string::npos &&
                   what.find("No such file") != std::string::npos,
               e.what());
    }
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

  // After keepFreedMemoryForReuse() a freed 64 MiB block (a U-Net activation's size) is served
  // again from memory the process kept: touching it again costs no page faults. Without it,
  // glibc returns such a block to the kernel at free (mmap/munmap) and every reuse faults in
  // all 16,384 pages again (a CPU prediction spent 15 of its 33 CPU-seconds so).
  void freedLargeBlocksAreReused() {
#if defined(__GLIBC__)
    vwb::keepFreedMemoryForReuse();
    constexpr size_t kBytes = size_t(64) << 20;
    auto touch = [] {
      char* p = static_cast<char*>(std::malloc(kBytes));
      QVERIFY(p);
      std::memset(p, 1, kBytes);
      asm volatile("" : : "r"(p) : "memory");  // the block is used: not elided
      std::free(p);
    };
    touch();  // the first time the pages come from the kernel
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    touch();
    getrusage(RUSAGE_SELF, &after);
    const long faults = after.ru_minflt - before.ru_minflt;
    QVERIFY2(faults < 1000, qPrintable(QString("%1 page faults re-touching a freed 64 MiB block").arg(faults)));
#else
    QSKIP("the allocator is not glibc's");
#endif
  }
};

QTEST_APPLESS_MAIN(TestCore)
#include "TestCore.moc"
