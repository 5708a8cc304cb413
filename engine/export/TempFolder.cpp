#include "engine/export/TempFolder.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/core/Error.h"

namespace vwb {

TempFolder::TempFolder(const std::string& prefix) {
  std::vector<char> name(prefix.begin(), prefix.end());
  for (char c : std::string("XXXXXX")) name.push_back(c);
  name.push_back('\0');
  if (!mkdtemp(name.data()))
    throw fileError(prefix + "XXXXXX", std::string("cannot create a temporary folder: ") + std::strerror(errno));
  path_ = name.data();
}

TempFolder::~TempFolder() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace vwb
