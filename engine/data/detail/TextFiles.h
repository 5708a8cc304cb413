#pragma once
// Private to engine/data: whole-file text reads with errors naming the file (writes go through
// the engine's one atomic writer, engine/core/AtomicFile.h).
#include <string>

namespace vwb::detail {

// Throws vwb::Error naming the file when it cannot be read.
std::string readTextFile(const std::string& path);

}  // namespace vwb::detail
