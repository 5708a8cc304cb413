#pragma once
// The engine's one exception type. Messages name the file and the problem:
// "train_images/12.tif: page 3 is 320x300, page 0 is 320x320".
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace vwb {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Error about a file: "<path>: <problem>".
inline Error fileError(const std::string& path, const std::string& problem) {
  return Error(path + ": " + problem);
}

// A failure of the machine, not of the data: a full disk, an I/O error, a permission. Never
// recorded as a fact about a volume (the preprocessed cache retries it on the next run).
class EnvironmentError : public Error {
 public:
  using Error::Error;
};

// Whether errno value `err` says something about the machine rather than the file's content.
inline bool isEnvironmentErrno(int err) {
  switch (err) {
    case ENOSPC: case EDQUOT: case EIO: case EACCES: case EPERM: case EROFS: case EMFILE:
    case ENFILE: case ENOMEM: case EAGAIN: case EBUSY: case ETIMEDOUT: case ESTALE: case EINTR:
      return true;
    default:
      return false;
  }
}

// fileError for a failed system call: an EnvironmentError when `err` is one of those above.
[[noreturn]] inline void throwFileError(const std::string& path, const std::string& what, int err) {
  const std::string text = path + ": " + what + ": " + std::strerror(err);
  if (isEnvironmentErrno(err)) throw EnvironmentError(text);
  throw Error(text);
}

// Thrown when a long operation sees its cancellation flag.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

}  // namespace vwb
