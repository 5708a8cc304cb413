#include "engine/train/RunLock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "engine/core/Error.h"
#include "engine/run/RunFolder.h"

namespace vwb {

namespace fs = std::filesystem;

namespace {

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

RunLockOwner readOwner(int fd) {
  char buf[512] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  RunLockOwner o;
  if (n <= 0) return o;
  std::string text(buf, static_cast<size_t>(n));
  const auto space = text.find(' ');
  try {
    o.pid = std::stoll(text.substr(0, space));
  } catch (...) {
    o.pid = 0;
  }
  if (space != std::string::npos) {
    o.host = text.substr(space + 1);
    while (!o.host.empty() && (o.host.back() == '\n' || o.host.back() == ' ')) o.host.pop_back();
  }
  return o;
}

}  // namespace

std::string RunLockOwner::text() const {
  return (pid > 0 ? "pid " + std::to_string(pid) : std::string("an unknown process")) +
         (host.empty() ? std::string() : " on host " + host);
}

std::string runLockPath(const std::string& runDir, int nodeRank) {
  return RunFolder(runDir, nodeRank).lock();
}

RunLock::RunLock(const std::string& runDir, int nodeRank) {
  const std::string path = runLockPath(runDir, nodeRank);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw fileError(path, std::string("cannot create the run lock: ") + std::strerror(errno));
  // A few tries: runLockOwner() holds a shared lock for an instant while it looks.
  for (int attempt = 0;; ++attempt) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) break;
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK || attempt >= 10) {
      const RunLockOwner owner = readOwner(fd_);
      ::close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK) throw fileError(path, std::string("cannot lock the run folder: ") + std::strerror(err));
      throw fileError(runDir, "in use by another training (" + owner.text() +
                                  "); wait for it to end or stop it, or choose another --out");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string me = std::to_string(::getpid()) + " " + hostName() + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    // The lock holds regardless; only the owner's name in messages is missing.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

std::optional<RunLockOwner> runLockOwner(const std::string& runDir, int nodeRank) {
  const std::string path = runLockPath(runDir, nodeRank);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // never locked
  std::optional<RunLockOwner> owner;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) ::flock(fd, LOCK_UN);
  else if (errno == EWOULDBLOCK) owner = readOwner(fd);
  ::close(fd);
  return owner;
}

}  // namespace vwb
