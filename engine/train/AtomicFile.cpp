#include "engine/train/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/core/Error.h"

namespace vwb {

namespace {
void writeAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fileError(path, std::string("write failed: ") + std::strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
}

bool crashRequested(const std::string& path) {
  const char* name = std::getenv("VWB_FAULT_CRASH_IN_WRITE");
  if (!name || std::filesystem::path(path).filename() != name) return false;
  static std::atomic<int> writes{0};
  const char* at = std::getenv("VWB_FAULT_CRASH_AT");
  return ++writes == (at ? std::atoi(at) : 1);
}
}  // namespace

void writeFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw fileError(tmp, std::string("cannot create: ") + std::strerror(errno));
  try {
    if (crashRequested(path)) {
      writeAll(fd, bytes.data(), bytes.size() / 2, tmp);
      ::fsync(fd);
      ::_exit(kCrashInWriteExitCode);
    }
    writeAll(fd, bytes.data(), bytes.size(), tmp);
    if (::fsync(fd) != 0) throw fileError(tmp, std::string("fsync failed: ") + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw fileError(path, std::string("rename failed: ") + std::strerror(err));
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::vector<std::string> removeStaleTempFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    if (p.extension() != ".tmp" || !it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    if (fs::remove(p, ec)) removed.push_back(p.filename().string());
  }
  return removed;
}

}  // namespace vwb
