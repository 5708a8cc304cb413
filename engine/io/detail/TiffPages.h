#pragma once
// Private to engine/io: one page (2D image) of an open TIFF, validated and decoded straight into
// a caller's buffer. Shared by the multi-page volume reader and the slice-folder reader.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Volume.h"
#include "engine/io/detail/TiffHandle.h"

namespace vwb::detail {

struct PageLayout {
  int64_t width = 0, height = 0;
  DType dtype = DType::U8;
  uint16_t compression = 1;  // libtiff COMPRESSION_* code
  bool tiled = false;
  int64_t tileWidth = 0, tileHeight = 0, rowsPerStrip = 0;

  size_t bytes() const { return static_cast<size_t>(width * height) * dtypeSize(dtype); }
};

// The current directory's layout; throws (naming the page) for anything we cannot read exactly:
// several samples per pixel (RGB), palettes, unsupported bit depths or sample formats, codecs
// this libtiff lacks.
PageLayout readPageLayout(const TiffHandle& tif, int64_t page);

// Decodes the current directory into dst (layout.bytes() bytes, rows of width * dtype size).
// Tiles go through `scratch` (one tile); strips decode in place.
void readPage(const TiffHandle& tif, int64_t page, const PageLayout& layout, uint8_t* dst,
              std::vector<uint8_t>& scratch);

// Number of pages, walking the directory chain without decoding anything.
int64_t countPages(TiffHandle& tif);

// Moves to the next page; throws if the directory cannot be read.
void nextPage(const TiffHandle& tif, int64_t page);

// Throws unless the machine could hold `bytes` (a corrupt header can claim terabytes).
void checkFitsInMemory(const std::string& path, const Shape3& shape, DType dtype);

}  // namespace vwb::detail
