#pragma once
// write(2) until all of data[done, size) is written (EINTR retried), advancing `done`; 0 or the
// errno (ENOSPC for a write that wrote nothing). The one loop of the atomic writer and the
// store's O_DIRECT writer.
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace vwb {

inline int writeAll(int fd, const char* data, size_t size, size_t& done) {
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : ENOSPC;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace vwb
