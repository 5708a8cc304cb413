#pragma once
// The engine's one atomic writer: whole-file writes that never leave a half-written file.
// A file is written to PATH.tmp-HOST-PID-N beside it (one scheme for every writer: several
// processes may write the same file, as the ranks of a multi-node run preprocessing one cache
// do, and each renames a complete file), synced, renamed over PATH, and the folder synced. A
// crash or kill -9 at any moment leaves either the old file or the new one, plus at most a temp
// file that removeStaleTempFiles() knows to be stale.
#include <string>
#include <string_view>
#include <vector>

namespace vwb {

// Fsync: the file and its folder reach the disk before the call returns. Deferred: no fsync (a
// kill -9 still never leaves a half-written file; after a power loss the file may be missing or
// empty): for regenerable files (the checksummed cache) whose writer syncs once at the end.
enum class Durability { Fsync, Deferred };

// Throws vwb::Error naming the file on any failure (ENOSPC, EFBIG from a file-size limit when
// SIGXFSZ is ignored, ...); the temporary file is removed and PATH is untouched.
void writeFileAtomically(const std::string& path, std::string_view bytes, Durability durability = Durability::Fsync);
// The same for a file made of two parts (header and data), without joining them in memory.
void writeFileAtomically(const std::string& path, std::string_view head, std::string_view body,
                         Durability durability = Durability::Fsync);

// For writers that need a file name of their own (libtiff, O_DIRECT): write the temp file, then
// commit it. The temp name is unique to this process and call.
std::string atomicTempPath(const std::string& path);
// Syncs `tmp` (Fsync), renames it over `path` and syncs the folder; on failure removes `tmp` and
// throws vwb::Error naming `path`.
void commitAtomically(const std::string& tmp, const std::string& path, Durability durability = Durability::Fsync);

// Whether a file name is a temp file of this writer (or of the older PATH.tmp scheme).
bool isAtomicTempName(const std::string& fileName);
// The one stale-temp policy. Removes the temp files directly in `dir` that no process will rename
// any more: this host's whose process is gone (a kill -9 or SIGXFSZ mid-write), other hosts' (a
// folder shared by the nodes of a run) once a day old, and the PATH.tmp files of older builds.
// Returns their names. A live writer's temp file is never removed.
std::vector<std::string> removeStaleTempFiles(const std::string& dir);

// Fault injection for tests: when the environment variable VWB_FAULT_CRASH_IN_WRITE names a
// file name (e.g. "last.pt") and VWB_FAULT_CRASH_AT=<n> (default 1), the n-th write of that
// file writes half of its temp file and then ends the process (_exit(86)) before the rename.
inline constexpr int kCrashInWriteExitCode = 86;

}  // namespace vwb
