#include "engine/core/TextFile.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/core/Error.h"

namespace vwb {

std::string readWholeFile(const std::string& path, const std::string& what) {
  const std::string subject = what.empty() ? std::string("cannot read") : "cannot read " + what;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw fileError(path, subject + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw fileError(path, subject + ": read error");
  return ss.str();
}

}  // namespace vwb
