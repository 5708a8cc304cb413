#pragma once
// Where a command may write. An output never replaces a device, FIFO, socket or folder (a rename
// over /dev/null replaces the machine's /dev/null), never one of the command's own inputs, and an
// output folder never overlaps an input folder (predict --images D --out D would overwrite the
// CT volumes). Symbolic links are resolved before comparing.
#include <string>
#include <utility>
#include <vector>

namespace vwb {

// Throws vwb::Error naming `out` when it exists and is not a regular file (after links), when it
// is the same file as one of `inputs` (also through hard or symbolic links), or when it lies
// inside one of `inputFolders`. An absent `out` in an existing folder is fine.
void checkOutputFile(const std::string& out, const std::vector<std::string>& inputs,
                     const std::vector<std::string>& inputFolders);

struct InputFolder {
  std::string what, path;  // what the message calls it ("image folder (--images)"), where it is
  // false: only `out` == the folder is refused (a checkpoint's folder: predicting into a
  // subfolder of where best.pt lies overwrites nothing).
  bool nested = true;
};

// Throws vwb::Error naming both when the folder `out` is one of `inputs`, or contains or lies
// inside one whose `nested` is set. `out` need not exist yet.
void checkOutputFolder(const std::string& out, const std::vector<InputFolder>& inputs);

// Why `path` (lstat) may not be replaced by a rename: a device, FIFO, socket or folder, or a link
// to one; empty when it is absent or a regular file.
std::string unreplaceableReason(const std::string& path);

}  // namespace vwb
