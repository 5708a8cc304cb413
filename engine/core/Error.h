#pragma once
// The engine's one exception type. Messages name the file and the problem:
// "train_images/12.tif: page 3 is 320x300, page 0 is 320x320".
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

// Thrown when a long operation sees its cancellation flag.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

}  // namespace vwb
