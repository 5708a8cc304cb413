#pragma once
// Private to engine/data: whole-file text IO with errors naming the file.
#include <string>

namespace vwb::detail {

// Throws vwb::Error naming the file when it cannot be read.
std::string readTextFile(const std::string& path);

// Writes "<path>.tmp", flushes it to disk and renames it over path: readers never see half a file.
void writeTextFileAtomically(const std::string& path, const std::string& content);

}  // namespace vwb::detail
