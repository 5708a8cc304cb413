#pragma once
// Volume IO: one multi-page TIFF (a page per z slice) <-> a contiguous D x H x W buffer.
// Every failure throws vwb::Error naming the file and the problem.
// Thread-safe: concurrent reads (and writes of different files) need no locking.
#include <string>

#include "engine/core/Volume.h"

namespace vwb {

enum class TiffCompression { None, LZW, Deflate, PackBits, ZSTD, Other };
const char* compressionName(TiffCompression c);
TiffCompression parseCompression(const std::string& name);  // "none", "lzw", "deflate", ...
// Whether this build of libtiff can encode and decode the scheme (ZSTD is optional in libtiff).
bool compressionAvailable(TiffCompression c);

struct TiffInfo {
  Shape3 shape;           // pages x height x width
  DType dtype = DType::U8;
  TiffCompression compression = TiffCompression::None;
  int compressionCode = 1;  // libtiff's code, for the schemes grouped under Other
  bool tiled = false;
  int64_t tileWidth = 0, tileHeight = 0;  // when tiled
  int64_t rowsPerStrip = 0;               // when stripped
  bool bigTiff = false;
};

// Reads the directory structure only (fast); validates that all pages agree.
TiffInfo probeTiff(const std::string& path);

// Read a whole volume. readVolumeU8/U16 refuse other dtypes; readVolumeF32 converts any dtype.
VolumeU8 readVolumeU8(const std::string& path);
// The same into `into`, reusing its buffer when it is large enough: a loop over many volumes
// (preprocessing) then neither maps nor zeroes fresh memory for each. On an error `into` holds garbage.
void readVolumeU8(const std::string& path, VolumeU8& into);
VolumeU16 readVolumeU16(const std::string& path);
VolumeF32 readVolumeF32(const std::string& path);

// A folder of 2D slices (00.tif, 01.tif, ... sorted numerically; other files are ignored) as one
// uint8 volume. Numbers must be consecutive. uint16 slices (the 2023 ink-detection data) are
// reduced to their high byte, the same 8-bit range as the competition volumes.
VolumeU8 readSliceFolderU8(const std::string& dir);
// The folder's shape and the first slice's format, without decoding anything.
TiffInfo probeSliceFolder(const std::string& dir);

// Write a uint8 multi-page TIFF (BigTIFF beyond 4 GB). Written to "<path>.tmp" then renamed:
// never a half-written file. Any compression but Other, if compressionAvailable().
void writeVolumeU8(const std::string& path, const VolumeU8& volume,
                   TiffCompression compression = TiffCompression::Deflate);

}  // namespace vwb
