#include "engine/store/detail/FileWrite.h"

#include "engine/core/WriteAll.h"

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

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace vwb::store::detail {

void syncFileSystem(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

void AlignedBuffer::Free::operator()(char* p) const { std::free(p); }

void AlignedBuffer::reserve(size_t bytes) {
  if (bytes <= capacity_) return;
  const size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  char* p = static_cast<char*>(std::aligned_alloc(kAlign, rounded));
  if (!p) throw std::bad_alloc();
  p_.reset(p);
  capacity_ = rounded;
}

void writeFileDirect(const std::string& path, const char* data, size_t size) {
  const std::string tmp = atomicTempPath(path);
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
  ::close(fd);
  if (err) {
    std::remove(tmp.c_str());
    throwFileError(path, "cannot write", err);
  }
  commitAtomically(tmp, path, Durability::Deferred);
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
