#pragma once
// Private to engine/store: whole-file writes that never leave a half-written file (temp file,
// fsync, rename, fsync of the folder), and positioned reads with errors naming the file.
#include <cstdint>
#include <string>

namespace vwb::store::detail {

// Fsync: the file and its folder reach the disk before the call returns. Deferred: no fsync (a
// kill -9 still never leaves a half-written file; after a power loss the file may be missing or
// empty): for the regenerable, checksummed cache, which syncs once at the end (syncFileSystem).
enum class Durability { Fsync, Deferred };
void writeFileAtomically(const std::string& path, const std::string& bytes, Durability durability = Durability::Fsync);
// The same for a file made of two parts (header and data), without joining them in memory.
void writeFileAtomically(const std::string& path, const std::string& head, const std::string& body,
                         Durability durability = Durability::Fsync);
// Flushes the file system that holds `dir` (syncfs): what Deferred writes left in memory.
void syncFileSystem(const std::string& dir);
// Temporary files are named PATH.tmp-HOST-PID-N. Removes those in `dir` that no process will
// rename any more: this host's whose process is gone (a kill -9 mid-write), and other hosts'
// (a cache folder shared by the nodes of a run) once a day old. Returns how many it removed.
int removeStaleTempFiles(const std::string& dir);
// Reads exactly `size` bytes at `offset`; throws vwb::Error naming the file when it cannot.
void readAt(const std::string& path, int64_t offset, int64_t size, void* out);

}  // namespace vwb::store::detail
