#pragma once
// A private folder for the pieces of a file being built, removed with everything in it when
// the owner goes away (success or failure), so that nothing half-made is left behind.
#include <string>

namespace vwb {

class TempFolder {
 public:
  // Creates "<prefix>XXXXXX" (mkdtemp); throws vwb::Error naming the place on failure.
  explicit TempFolder(const std::string& prefix);
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace vwb
