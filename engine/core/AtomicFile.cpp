#include "engine/core/AtomicFile.h"
#include "engine/core/WriteAll.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"

namespace vwb {

namespace fs = std::filesystem;

namespace {
constexpr const char* kTempTag = ".tmp-";

const std::string& hostName() {
  static const std::string name = [] {
    char buf[256] = {};
    std::string h = ::gethostname(buf, sizeof buf - 1) == 0 && buf[0] ? buf : "localhost";
    for (char& c : h)
      if (c == '-' || c == '/') c = '_';  // '-' separates the name's fields
    return h;
  }();
  return name;
}

bool allDigits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// HOST and PID of a PATH.tmp-HOST-PID-N name; false when the name is not one.
bool parseTempName(const std::string& name, std::string& host, long& pid) {
  const size_t tag = name.rfind(kTempTag);
  if (tag == std::string::npos) return false;
  // The host may itself hold digits, so read from the right.
  const std::string rest = name.substr(tag + std::strlen(kTempTag));
  const size_t last = rest.rfind('-');
  const size_t mid = last == std::string::npos || last == 0 ? std::string::npos : rest.rfind('-', last - 1);
  if (mid == std::string::npos || !allDigits(rest.substr(mid + 1, last - mid - 1)) || !allDigits(rest.substr(last + 1)))
    return false;
  host = rest.substr(0, mid);
  pid = std::strtol(rest.substr(mid + 1, last - mid - 1).c_str(), nullptr, 10);
  return true;
}

bool olderTempName(const std::string& name) { return name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0; }

// Writes all of data; returns 0 or the errno.
int writeAll(int fd, const char* data, size_t size) {
  size_t done = 0;
  return vwb::writeAll(fd, data, size, done);
}

bool crashRequested(const std::string& path) {
  const char* name = std::getenv("VWB_FAULT_CRASH_IN_WRITE");
  if (!name || fs::path(path).filename() != name) return false;
  static std::atomic<int> writes{0};
  const char* at = std::getenv("VWB_FAULT_CRASH_AT");
  return ++writes == (at ? std::atoi(at) : 1);
}

void syncFolderOf(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}
}  // namespace

std::string atomicTempPath(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + kTempTag + hostName() + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool isAtomicTempName(const std::string& fileName) {
  std::string host;
  long pid = 0;
  return parseTempName(fileName, host, pid) || olderTempName(fileName);
}

void commitAtomically(const std::string& tmp, const std::string& path, Durability durability) {
  int err = 0;
  if (durability == Durability::Fsync) {
    int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) err = errno;
    if (fd >= 0) ::close(fd);
  }
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    std::remove(tmp.c_str());
    throwFileError(path, "cannot write", err);
  }
  if (durability == Durability::Fsync) syncFolderOf(path);
}

void writeFileAtomically(const std::string& path, std::string_view bytes, Durability durability) {
  writeFileAtomically(path, bytes, std::string_view(), durability);
}

void writeFileAtomically(const std::string& path, std::string_view head, std::string_view body, Durability durability) {
  const std::string tmp = atomicTempPath(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throwFileError(tmp, "cannot create", errno);
  if (crashRequested(path)) {
    writeAll(fd, head.data(), head.size() / 2);
    ::fsync(fd);
    ::_exit(kCrashInWriteExitCode);
  }
  int err = writeAll(fd, head.data(), head.size());
  if (!err) err = writeAll(fd, body.data(), body.size());
  if (!err && durability == Durability::Fsync && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err) {
    std::remove(tmp.c_str());
    throwFileError(tmp, "cannot write", err);
  }
  commitAtomically(tmp, path, Durability::Deferred);  // synced above when asked
  if (durability == Durability::Fsync) syncFolderOf(path);
}

std::vector<std::string> removeStaleTempFiles(const std::string& dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code fec;
    if (!it->is_regular_file(fec) || it->is_symlink(fec)) continue;
    std::string host;
    long pid = 0;
    bool stale = false;
    if (parseTempName(name, host, pid)) {
      if (host == hostName()) {
        stale = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
      } else {
        const auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), fec);
        stale = !fec && age > std::chrono::hours(24);
      }
    } else {
      stale = olderTempName(name);  // PATH.tmp of an older build: no live writer uses that name
    }
    if (stale && fs::remove(it->path(), fec)) removed.push_back(name);
  }
  return removed;
}

}  // namespace vwb
