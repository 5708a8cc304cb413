#pragma once
// Private to engine/io: an open libtiff file whose errors are captured instead of printed, so
// they end up in a vwb::Error that names the file. libtiff is thread-safe as long as a TIFF* is
// used by one thread at a time; each read opens its own handle.
#include <tiffio.h>

#include <string>

namespace vwb::detail {

// How volumes are opened for reading: strip chopping off ("c") so strips decode straight into
// the volume as stored, and no memory mapping ("m"): uncompressed strips are then read() directly
// into the volume (about 2x faster than copying from a mapping here) and a file truncated while
// it is read gives an error instead of SIGBUS.
constexpr const char* kTiffReadMode = "rcm";

class TiffHandle {
 public:
  // mode is libtiff's ("r", "w", "w8" ...). For reading, the path is first checked to be a
  // readable regular file that starts like a TIFF with at least one page, so the usual mistakes
  // (a folder, a PNG, an empty or truncated file, no permission) get a precise message.
  TiffHandle(const std::string& path, const char* mode);
  ~TiffHandle();
  TiffHandle(const TiffHandle&) = delete;
  TiffHandle& operator=(const TiffHandle&) = delete;

  TIFF* get() const { return tif_; }
  const std::string& path() const { return path_; }

  // Throws "<path>: <problem> (libtiff: <its message>)"; the last part only when libtiff gave one.
  [[noreturn]] void fail(const std::string& problem) const;

  // Whether libtiff reported an error since the handle was opened (some calls, like counting
  // directories, report a broken file only this way).
  bool hasError() const;
  void clearError();

  // Closes now; throws if libtiff reported an error while flushing (writers).
  void close();

 private:
  static int onError(TIFF*, void* self, const char* module, const char* fmt, va_list ap);
  static int onWarning(TIFF*, void* self, const char* module, const char* fmt, va_list ap);

  std::string path_;
  TIFF* tif_ = nullptr;
  std::string lastError_;
};

// Throws a vwb::Error unless path is a readable regular file with a TIFF header and a first page.
void checkTiffFile(const std::string& path);

}  // namespace vwb::detail
