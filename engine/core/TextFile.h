#pragma once
// Whole-file reads with errors naming the file: the one reader behind the engine's file codecs
// (config.json, split.json, validation records, post-processing records, checkpoints' bytes,
// dataset CSVs, the fingerprint cache). Writes go through AtomicFile.h.
#include <string>

namespace vwb {

// The file's bytes (text or binary). Throws vwb::Error "PATH: cannot read[ WHAT]: REASON" when it
// cannot be opened or read; `what` says what the file is for ("the split").
std::string readWholeFile(const std::string& path, const std::string& what = "");

}  // namespace vwb
