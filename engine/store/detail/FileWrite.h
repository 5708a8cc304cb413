#pragma once
// Private to engine/store: whole-file writes that never leave a half-written file (temp file,
// fsync, rename, fsync of the folder), and positioned reads with errors naming the file.
#include <cstdint>
#include <string>

namespace vwb::store::detail {

void writeFileAtomically(const std::string& path, const std::string& bytes);
// The same for a file made of two parts (header and data), without joining them in memory.
void writeFileAtomically(const std::string& path, const std::string& head, const std::string& body);
// Temporary files are named PATH.tmp-HOST-PID-N. Removes those in `dir` that no process will
// rename any more: this host's whose process is gone (a kill -9 mid-write), and other hosts'
// (a cache folder shared by the nodes of a run) once a day old. Returns how many it removed.
int removeStaleTempFiles(const std::string& dir);
// Reads exactly `size` bytes at `offset`; throws vwb::Error naming the file when it cannot.
void readAt(const std::string& path, int64_t offset, int64_t size, void* out);

}  // namespace vwb::store::detail
