#include "engine/store/detail/FileWrite.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>

#include "engine/core/Error.h"

namespace vwb::store::detail {

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
}  // namespace

int removeStaleTempFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int removed = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const size_t tag = name.rfind(kTempTag);
    if (tag == std::string::npos || !it->is_regular_file(ec)) continue;
    // HOST-PID-N after the tag; the host may itself hold digits, so read from the right.
    const std::string rest = name.substr(tag + std::strlen(kTempTag));
    const size_t last = rest.rfind('-'), mid = last == std::string::npos || last == 0 ? std::string::npos : rest.rfind('-', last - 1);
    if (mid == std::string::npos || !allDigits(rest.substr(mid + 1, last - mid - 1)) || !allDigits(rest.substr(last + 1)))
      continue;
    const std::string host = rest.substr(0, mid);
    const long pid = std::strtol(rest.substr(mid + 1, last - mid - 1).c_str(), nullptr, 10);
    bool stale;
    if (host == hostName()) {
      stale = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    } else {
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), ec);
      stale = !ec && age > std::chrono::hours(24);
    }
    if (stale && fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

void writeFileAtomically(const std::string& path, const std::string& bytes, Durability durability) {
  writeFileAtomically(path, std::string_view(bytes), std::string_view(), durability);
}

void syncFileSystem(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

namespace {
// A temp name of this process and write: two processes preprocessing one dataset (ranks of a
// multi-node run on one machine) each rename a complete file of the same content.
std::string tempName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + kTempTag + hostName() + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}
}  // namespace

void AlignedBuffer::Free::operator()(char* p) const { std::free(p); }

void AlignedBuffer::reserve(size_t bytes) {
  if (bytes <= capacity_) return;
  const size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  char* p = static_cast<char*>(std::aligned_alloc(kAlign, rounded));
  if (!p) throw std::bad_alloc();
  p_.reset(p);
  capacity_ = rounded;
}

namespace {
// Writes data[done, size) at the file offset, advancing `done`; returns 0 or the errno.
int writeAll(int fd, const char* data, size_t size, size_t& done) {
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : ENOSPC;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// Closes the temp file and renames it over `path`; on an error (`err`, or the rename's) removes
// it and throws naming `path`.
void finish(int fd, const std::string& tmp, const std::string& path, int err) {
  ::close(fd);
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    std::remove(tmp.c_str());
    throwFileError(path, "cannot write", err);
  }
}
}  // namespace

void writeFileDirect(const std::string& path, const char* data, size_t size) {
  const std::string tmp = tempName(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
  const bool direct = fd >= 0;
  if (fd < 0 && errno == EINVAL) fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throwFileError(tmp, "cannot create", errno);
  size_t done = 0;
  int err = 0;
  if (direct) {
    const size_t kAlign = AlignedBuffer::kAlign;
    const size_t whole = reinterpret_cast<uintptr_t>(data) % kAlign == 0 ? size / kAlign * kAlign : 0;
    err = writeAll(fd, data, whole, done);
    if (err == EINVAL) err = 0;  // a device block above kAlign, say: the rest goes buffered
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_DIRECT);  // the tail (or all) buffered
  }
  if (!err) err = writeAll(fd, data, size, done);
  finish(fd, tmp, path, err);
}

void writeFileAtomically(const std::string& path, std::string_view head, std::string_view body, Durability durability) {
  const std::string tmp = tempName(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throwFileError(tmp, "cannot create", errno);
  int err = 0;
  for (const std::string_view* part : {&head, &body}) {
    size_t done = 0;
    if (!err) err = writeAll(fd, part->data(), part->size(), done);
  }
  if (!err && durability == Durability::Fsync && ::fsync(fd) != 0) err = errno;
  finish(fd, tmp, path, err);
  if (durability == Durability::Deferred) return;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void readAt(int fd, const std::string& path, int64_t offset, int64_t size, void* out) {
  int64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, static_cast<char*>(out) + done, static_cast<size_t>(size - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throwFileError(path, "cannot read", errno);
    if (n == 0) throw fileError(path, "truncated (ends before byte " + std::to_string(offset + size) + ")");
    done += n;
  }
}

void readAt(const std::string& path, int64_t offset, int64_t size, void* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwFileError(path, "cannot open", errno);
  try {
    readAt(fd, path, offset, size, out);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

}  // namespace vwb::store::detail
