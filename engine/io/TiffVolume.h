#pragma once
// Volume IO: one multi-page TIFF (a page per z slice) <-> a contiguous D x H x W buffer.
// Every failure throws vwb::Error naming the file and the problem.
#include <string>

#include "engine/core/Volume.h"

namespace vwb {

enum class TiffCompression { None, LZW, Deflate, PackBits, ZSTD, Other };
const char* compressionName(TiffCompression c);
TiffCompression parseCompression(const std::string& name);  // "none", "lzw", "deflate", ...

struct TiffInfo {
  Shape3 shape;           // pages x height x width
  DType dtype = DType::U8;
  TiffCompression compression = TiffCompression::None;
  bool tiled = false;
  int64_t tileWidth = 0, tileHeight = 0;  // when tiled
  int64_t rowsPerStrip = 0;               // when stripped
  bool bigTiff = false;
};

// Reads the directory structure only (fast); validates that all pages agree.
TiffInfo probeTiff(const std::string& path);

// Read a whole volume. readVolumeU8 refuses non-uint8 files; readVolumeF32 converts any dtype.
VolumeU8 readVolumeU8(const std::string& path);
VolumeU16 readVolumeU16(const std::string& path);
VolumeF32 readVolumeF32(const std::string& path);

// A folder of 2D slices (00.tif, 01.tif, ... sorted numerically) as one uint8 volume.
VolumeU8 readSliceFolderU8(const std::string& dir);

// Write a uint8 multi-page TIFF. Written to "<path>.tmp" then renamed: never a half-written file.
void writeVolumeU8(const std::string& path, const VolumeU8& volume,
                   TiffCompression compression = TiffCompression::Deflate);

}  // namespace vwb
