#pragma once
// Whole-file writes that never leave a half-written file: write "<path>.tmp", flush, fsync,
// rename over <path>, fsync the folder. A crash or kill -9 at any moment leaves either the old
// file or the new one.
#include <string>
#include <vector>

namespace vwb {

// Throws vwb::Error naming the file on any failure (ENOSPC, EFBIG from a file-size limit when
// SIGXFSZ is ignored, ...); the temporary file is removed and <path> is untouched.
void writeFileAtomically(const std::string& path, const std::string& bytes);

// Removes the "*.tmp" regular files directly in `dir` (left by a process killed mid-write) and
// returns their names. Only call it while owning the folder (RunLock): a live writer's temp file
// would go too.
std::vector<std::string> removeStaleTempFiles(const std::string& dir);

// Fault injection for tests: when the environment variable VWB_FAULT_CRASH_IN_WRITE names a
// file name (e.g. "last.pt") and VWB_FAULT_CRASH_AT=<n> (default 1), the n-th write of that
// file writes half of its temp file and then ends the process (_exit(86)) before the rename.
inline constexpr int kCrashInWriteExitCode = 86;

}  // namespace vwb
