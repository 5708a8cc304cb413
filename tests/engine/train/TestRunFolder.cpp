// The run folder's ownership and hygiene: one lock owner at a time (the second is told who owns
// it), stale temp files removed, metric lines that cannot be written are reported.
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

#include "TestSupport.h"
#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/train/RunLock.h"
#include "engine/train/RunLog.h"

using namespace vwb;
namespace fs = std::filesystem;

namespace {
struct Lines : LogSink {
  std::vector<std::pair<LogLevel, std::string>> lines;
  void log(LogLevel level, const std::string& message) override { lines.emplace_back(level, message); }
  int count(const std::string& text) const {
    int n = 0;
    for (const auto& l : lines) n += l.second.find(text) != std::string::npos;
    return n;
  }
};
}  // namespace

class TestRunFolder : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void secondLockIsRefusedWithTheOwner() {
    QTemporaryDir tmp = vwbtest::scratchDir();
    const std::string run = tmp.path().toStdString() + "/run";
    QVERIFY(!runLockOwner(run).has_value());
    {
      RunLock lock(run);
      auto owner = runLockOwner(run);
      QVERIFY(owner.has_value());
      QCOMPARE(owner->pid, int64_t(::getpid()));
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      QCOMPARE(owner->host, std::string(host));
      try {
        RunLock second(run);
        QFAIL("a second lock of the same run folder was granted");
      } catch (const Error& e) {
        const std::string m = e.what();
        QVERIFY2(m.find("in use by another training (pid " + std::to_string(::getpid()) + " on host ") !=
                     std::string::npos, m.c_str());
      }
      // Node 1 of a multi-node run sharing the folder has its own lock.
      RunLock node1(run, 1);
      QVERIFY(runLockOwner(run, 1).has_value());
    }
    // Released with its owner; the file stays, the lock does not.
    QVERIFY(fs::exists(runLockPath(run)));
    QVERIFY(!runLockOwner(run).has_value());
    RunLock again(run);
  }

  // The one stale-temp policy (engine/core/AtomicFile.h): a dead writer's temp file and an older
  // build's PATH.tmp go; a live writer's, the files themselves and folders stay.
  void staleTempFilesAreRemoved() {
    QTemporaryDir tmp = vwbtest::scratchDir();
    const std::string dir = tmp.path().toStdString();
    std::ofstream(dir + "/last.pt.tmp") << "half";
    std::ofstream(dir + "/last.pt") << "whole";
    fs::create_directory(dir + "/folder.tmp");
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    QVERIFY(dead > 0);
    QCOMPARE(::waitpid(dead, nullptr, 0), dead);
    const std::string live = atomicTempPath(dir + "/best.pt");  // this process: alive
    std::ofstream(live) << "being written";
    std::string deadName = fs::path(atomicTempPath(dir + "/ema.pt")).filename().string();
    const std::string ownPid = "-" + std::to_string(::getpid()) + "-";
    deadName.replace(deadName.rfind(ownPid), ownPid.size(), "-" + std::to_string(dead) + "-");
    std::ofstream(dir + "/" + deadName) << "half";
    QVERIFY(isAtomicTempName(deadName) && isAtomicTempName("last.pt.tmp") && !isAtomicTempName("last.pt"));
    auto removed = removeStaleTempFiles(dir);
    std::sort(removed.begin(), removed.end());
    QCOMPARE(removed, (std::vector<std::string>{deadName, "last.pt.tmp"}));
    QVERIFY(!fs::exists(dir + "/last.pt.tmp") && !fs::exists(dir + "/" + deadName));
    QVERIFY(fs::exists(dir + "/last.pt") && fs::is_directory(dir + "/folder.tmp") && fs::exists(live));
  }

  // metrics.jsonl on a full disk (a link to /dev/full: every write fails with ENOSPC).
  void lostMetricLinesAreReported() {
    if (!fs::exists("/dev/full")) QSKIP("no /dev/full");
    QTemporaryDir tmp = vwbtest::scratchDir();
    const std::string run = tmp.path().toStdString();
    fs::create_symlink("/dev/full", run + "/metrics.jsonl");
    Lines sink;
    RunLog log(run, &sink);
    for (int i = 0; i < 3; ++i) log.metric("{\"step\": " + std::to_string(i) + "}");
    QCOMPARE(sink.count("metrics.jsonl: a metric line could not be written (No space left on device)"), 1);
    QCOMPARE(sink.lines.at(0).first, LogLevel::Warning);
    // Writing works again (the link now points to a regular file): the loss is counted.
    fs::remove(run + "/metrics.jsonl");
    std::ofstream(run + "/other.jsonl") << "";
    fs::create_symlink(run + "/other.jsonl", run + "/metrics.jsonl");
    log.metric("{\"step\": 3}");
    QCOMPARE(sink.count("3 metric line(s) were lost"), 1);
    std::ifstream in(run + "/other.jsonl");
    std::string line;
    QVERIFY(std::getline(in, line));
    QCOMPARE(line, std::string("{\"step\": 3}"));
  }
};

QTEST_GUILESS_MAIN(TestRunFolder)
#include "TestRunFolder.moc"
