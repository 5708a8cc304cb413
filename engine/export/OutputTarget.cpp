#include "engine/export/OutputTarget.h"

#include <sys/stat.h>

#include <filesystem>

#include "engine/core/Error.h"

namespace vwb {

namespace fs = std::filesystem;

namespace {

std::string kindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Absolute, links resolved as far as the path exists (the rest appended as written).
fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();  // "a/b/" -> "a/b"
  return p;
}

// Whether `inner` is `outer` or lies below it (both resolved).
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin(), o = outer.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

std::string unreplaceableReason(const std::string& path) {
  struct stat l {};
  if (::lstat(path.c_str(), &l) != 0) return {};  // absent
  if (S_ISREG(l.st_mode)) return {};
  if (!S_ISLNK(l.st_mode)) return "is " + kindOf(l.st_mode);
  struct stat t {};
  if (::stat(path.c_str(), &t) != 0) return {};  // dangling link: the rename replaces the link
  if (S_ISREG(t.st_mode)) return {};
  return "is a link to " + kindOf(t.st_mode);
}

void checkOutputFile(const std::string& out, const std::vector<std::string>& inputs,
                     const std::vector<std::string>& inputFolders) {
  const std::string reason = unreplaceableReason(out);
  if (!reason.empty())
    throw fileError(out, reason + "; refusing to replace it (give the path of a new or regular file)");
  struct stat o {};
  if (::stat(out.c_str(), &o) == 0) {
    for (const std::string& in : inputs) {
      struct stat i {};
      if (::stat(in.c_str(), &i) == 0 && i.st_dev == o.st_dev && i.st_ino == o.st_ino)
        throw fileError(out, "is one of the inputs (" + in + "); refusing to overwrite it");
    }
  }
  const fs::path target = resolved(out);
  for (const std::string& folder : inputFolders)
    if (within(target.parent_path(), resolved(folder)))
      throw fileError(out, "lies inside the input folder " + folder + "; write it elsewhere");
}

void checkOutputFolder(const std::string& out, const std::vector<InputFolder>& inputs) {
  const fs::path target = resolved(out);
  for (const InputFolder& input : inputs) {
    const std::string& what = input.what;
    const std::string& path = input.path;
    if (path.empty()) continue;
    const fs::path in = resolved(path);
    bool inside = within(target, in), contains = within(in, target);
    if (!input.nested && !(inside && contains)) inside = contains = false;
    const char* how = inside && contains ? "is"
                      : inside           ? "lies inside"
                      : contains         ? "contains"
                                         : nullptr;
    if (how)
      throw fileError(out, std::string("the output folder ") + how + " the " + what + " " + path +
                               "; its files would be overwritten: choose another --out");
  }
}

}  // namespace vwb
