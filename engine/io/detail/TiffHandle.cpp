#include "engine/io/detail/TiffHandle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "engine/core/Error.h"

namespace vwb::detail {

namespace {

// Messages libtiff sends through its global handlers (a few code paths have no TIFF* to route
// them per handle). Kept per thread so concurrent reads never see each other's messages.
thread_local std::string unattributedError;

// libtiff's "module" is a function name or the file name; the latter is already in our message.
std::string formatMessage(const char* module, const char* fmt, va_list ap, const std::string& path = {}) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  std::string msg = buf;
  if (module && *module && path != module && msg.find(module) == std::string::npos)
    msg = std::string(module) + ": " + msg;
  if (!path.empty())  // "TIFFOpen: <path>: Permission denied" -> "TIFFOpen: Permission denied"
    for (size_t at; (at = msg.find(path + ": ")) != std::string::npos;) msg.erase(at, path.size() + 2);
  return msg;
}

void captureGlobalError(thandle_t, const char* module, const char* fmt, va_list ap) {
  unattributedError = formatMessage(module, fmt, ap);
}
void dropGlobalWarning(thandle_t, const char*, const char*, va_list) {}

// libtiff prints to stderr by default; the engine reports through exceptions instead.
void silenceLibtiffOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
    TIFFSetErrorHandlerExt(captureGlobalError);
    TIFFSetWarningHandlerExt(dropGlobalWarning);
  });
}

uint32_t read32(const unsigned char* p, bool little) {
  return little ? p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24
                : uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
uint64_t read64(const unsigned char* p, bool little) {
  uint64_t a = read32(p, little), b = read32(p + 4, little);
  return little ? (b << 32 | a) : (a << 32 | b);
}

}  // namespace

void checkTiffFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (isEnvironmentErrno(errno)) throwFileError(path, "cannot read", errno);
    throw fileError(path, std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw fileError(path, "is a directory, expected a TIFF file");
  if (!S_ISREG(st.st_mode)) throw fileError(path, "is not a regular file");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwFileError(path, "cannot open", errno);
  unsigned char h[16] = {};
  ssize_t n = ::read(fd, h, sizeof h);
  ::close(fd);
  if (n < 0) throwFileError(path, "cannot read", errno);
  if (n == 0) throw fileError(path, "is empty, not a TIFF file");
  bool little = n >= 2 && h[0] == 'I' && h[1] == 'I';
  bool big = n >= 2 && h[0] == 'M' && h[1] == 'M';
  if (!little && !big) throw fileError(path, "is not a TIFF file (no II/MM byte-order mark)");
  if (n < 8) throw fileError(path, "is truncated: shorter than a TIFF header");
  unsigned version = little ? h[2] | h[3] << 8 : h[2] << 8 | h[3];
  uint64_t firstIfd = 0;
  if (version == 42) {
    firstIfd = read32(h + 4, little);
  } else if (version == 43) {
    if (n < 16) throw fileError(path, "is truncated: shorter than a BigTIFF header");
    firstIfd = read64(h + 8, little);
  } else {
    throw fileError(path, "is not a TIFF file (version " + std::to_string(version) +
                              ", expected 42 or 43 for BigTIFF)");
  }
  if (firstIfd == 0) throw fileError(path, "contains no pages (the header points to no image directory)");
  if (firstIfd >= static_cast<uint64_t>(st.st_size))
    throw fileError(path, "is truncated: its first page directory (byte " + std::to_string(firstIfd) +
                              ") lies past the end of the " + std::to_string(st.st_size) +
                              "-byte file");
}

TiffHandle::TiffHandle(const std::string& path, const char* mode) : path_(path) {
  silenceLibtiffOnce();
  bool reading = mode[0] == 'r';
  if (reading) checkTiffFile(path);
  unattributedError.clear();
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(opts, &TiffHandle::onError, this);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, &TiffHandle::onWarning, this);
  tif_ = TIFFOpenExt(path.c_str(), mode, opts);
  TIFFOpenOptionsFree(opts);
  if (!tif_) fail(reading ? "cannot open as TIFF" : "cannot create");
}

TiffHandle::~TiffHandle() {
  if (tif_) TIFFClose(tif_);
}

void TiffHandle::close() {
  if (!tif_) return;
  lastError_.clear();
  TIFFClose(tif_);
  tif_ = nullptr;
  if (!lastError_.empty()) fail("error while closing");
}

bool TiffHandle::hasError() const { return !lastError_.empty() || !unattributedError.empty(); }

void TiffHandle::clearError() {
  lastError_.clear();
  unattributedError.clear();
}

void TiffHandle::fail(const std::string& problem) const {
  const std::string& detail = lastError_.empty() ? unattributedError : lastError_;
  if (detail.empty()) throw fileError(path_, problem);
  throw fileError(path_, problem + " (libtiff: " + detail + ")");
}

int TiffHandle::onError(TIFF*, void* self, const char* module, const char* fmt, va_list ap) {
  auto* h = static_cast<TiffHandle*>(self);
  // Keep the first message: later ones are usually consequences of it.
  if (h->lastError_.empty()) h->lastError_ = formatMessage(module, fmt, ap, h->path_);
  return 1;  // handled: libtiff must not call its global (stderr) handler
}

int TiffHandle::onWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

}  // namespace vwb::detail
