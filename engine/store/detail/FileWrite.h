#pragma once
// Private to engine/store: O_DIRECT whole-file writes (committed by the engine's one atomic
// writer, engine/core/AtomicFile.h) and positioned reads with errors naming the file.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vwb::store::detail {

// A reusable buffer aligned for O_DIRECT. Its contents do not survive a growth.
class AlignedBuffer {
 public:
  static constexpr size_t kAlign = 4096;
  char* data() { return p_.get(); }
  void reserve(size_t bytes);  // at least `bytes`, rounded up to kAlign

 private:
  struct Free {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Free> p_;
  size_t capacity_ = 0;
};
// The same as a Deferred writeFileAtomically (engine/core/AtomicFile.h) for `size` bytes at `data` (AlignedBuffer-aligned),
// written with O_DIRECT where the file system takes it (the whole blocks; the tail buffered):
// no copy into the page cache, which on the full release would be ~24 GiB of it and the kernel's
// copy the biggest cost of preprocessing after decoding. Falls back to a buffered write.
void writeFileDirect(const std::string& path, const char* data, size_t size);
// Flushes the file system that holds `dir` (syncfs): what Deferred writes left in memory.
void syncFileSystem(const std::string& dir);
// Reads exactly `size` bytes at `offset`; throws vwb::Error naming the file when it cannot.
void readAt(const std::string& path, int64_t offset, int64_t size, void* out);
// The same from an open descriptor (`path` only names it in errors).
void readAt(int fd, const std::string& path, int64_t offset, int64_t size, void* out);

}  // namespace vwb::store::detail
