#pragma once
// A run folder belongs to one training process at a time. The lock is an OS file lock (flock) on
// RUN/run.lock (node R of a multi-node run: RUN/nodes/node-R/run.lock, so that nodes sharing a
// folder do not exclude each other): the kernel drops it when its process ends, however it ends,
// so a kill -9 leaves no stale lock. The file holds "pid host" of the owner for messages and the
// GUI; the file itself stays (removing it would race with the next owner).
#include <cstdint>
#include <optional>
#include <string>

namespace vwb {

struct RunLockOwner {
  int64_t pid = 0;
  std::string host;
  std::string text() const;  // "pid 1234 on host node7"
};

class RunLock {
 public:
  // Takes the lock or throws vwb::Error "RUN: in use by another training (pid P on host H)".
  explicit RunLock(const std::string& runDir, int nodeRank = 0);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// Whether a live process (this one included) holds the run folder's lock, and who; nullopt when
// none does. For the GUI: a locked run is running, an unlocked one with last.pt is resumable.
std::optional<RunLockOwner> runLockOwner(const std::string& runDir, int nodeRank = 0);

std::string runLockPath(const std::string& runDir, int nodeRank = 0);

}  // namespace vwb
