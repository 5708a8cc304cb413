#include "engine/store/detail/FileWrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"

namespace vwb::store::detail {

namespace {
std::string why(int err) { return std::strerror(err); }
}  // namespace

void writeFileAtomically(const std::string& path, const std::string& bytes) {
  writeFileAtomically(path, bytes, std::string());
}

void writeFileAtomically(const std::string& path, const std::string& head, const std::string& body) {
  // A temp name of this process and write: two processes preprocessing one dataset (ranks of a
  // multi-node run on one machine) each rename a complete file of the same content.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw fileError(tmp, "cannot create: " + why(errno));
  int err = 0;
  for (const std::string* part : {&head, &body}) {
    size_t done = 0;
    while (!err && done < part->size()) {
      ssize_t n = ::write(fd, part->data() + done, part->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : ENOSPC;
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    std::remove(tmp.c_str());
    throw fileError(path, "cannot write: " + why(err));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void readAt(const std::string& path, int64_t offset, int64_t size, void* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fileError(path, "cannot open: " + why(errno));
  int64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, static_cast<char*>(out) + done, static_cast<size_t>(size - done), offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw fileError(path, n == 0 ? "truncated (ends before byte " + std::to_string(offset + size) + ")"
                                   : "cannot read: " + why(err));
    }
    done += n;
  }
  ::close(fd);
}

}  // namespace vwb::store::detail
