#include "engine/io/detail/TiffPages.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "engine/core/Error.h"

namespace vwb::detail {

namespace {

std::string pageName(int64_t page) { return "page " + std::to_string(page); }

const char* photometricName(uint16_t p) {
  switch (p) {
    case PHOTOMETRIC_MINISWHITE: return "min-is-white";
    case PHOTOMETRIC_RGB: return "RGB";
    case PHOTOMETRIC_PALETTE: return "palette";
    case PHOTOMETRIC_MASK: return "transparency mask";
    case PHOTOMETRIC_SEPARATED: return "CMYK";
    case PHOTOMETRIC_YCBCR: return "YCbCr";
    default: return "unsupported";
  }
}

DType dtypeFor(const TiffHandle& tif, int64_t page, uint16_t bits, uint16_t format) {
  if (format == SAMPLEFORMAT_UINT && bits == 8) return DType::U8;
  if (format == SAMPLEFORMAT_UINT && bits == 16) return DType::U16;
  if (format == SAMPLEFORMAT_IEEEFP && bits == 32) return DType::F32;
  const char* kind = format == SAMPLEFORMAT_UINT     ? "unsigned integer"
                     : format == SAMPLEFORMAT_INT    ? "signed integer"
                     : format == SAMPLEFORMAT_IEEEFP ? "floating-point"
                                                     : "unknown-format";
  throw fileError(tif.path(), pageName(page) + " has " + std::to_string(bits) + "-bit " + kind +
                                  " samples; supported are uint8, uint16 and float32");
}

}  // namespace

PageLayout readPageLayout(const TiffHandle& handle, int64_t page) {
  TIFF* t = handle.get();
  uint32_t width = 0, height = 0, depth = 1;
  if (!TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &height))
    handle.fail(pageName(page) + " has no image size");
  if (width == 0 || height == 0) handle.fail(pageName(page) + " is empty (0 pixels)");
  if (TIFFGetField(t, TIFFTAG_IMAGEDEPTH, &depth) && depth > 1)
    handle.fail(pageName(page) + " is an SGI 3D image (ImageDepth " + std::to_string(depth) +
                "); expected one page per slice");

  uint16_t samples = 1, bits = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photometric);  // absent: assume grey
  if (samples != 1)
    handle.fail(pageName(page) + " has " + std::to_string(samples) + " samples per pixel (" +
                (photometric == PHOTOMETRIC_RGB ? "RGB" : "multi-channel") +
                "); expected single-channel grey values");
  if (photometric != PHOTOMETRIC_MINISBLACK)
    handle.fail(pageName(page) + " has " + photometricName(photometric) +
                " photometric interpretation; expected min-is-black grey values");

  PageLayout layout;
  layout.width = width;
  layout.height = height;
  layout.dtype = dtypeFor(handle, page, bits, format);
  TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &layout.compression);
  if (!TIFFIsCODECConfigured(layout.compression))
    handle.fail(pageName(page) + " uses compression scheme " + std::to_string(layout.compression) +
                ", which this libtiff cannot decode");
  layout.tiled = TIFFIsTiled(t) != 0;
  if (layout.tiled) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(t, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(t, TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0) handle.fail(pageName(page) + " has a zero tile size");
    layout.tileWidth = tw;
    layout.tileHeight = th;
  } else {
    uint32_t rows = 0;
    TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rows);
    layout.rowsPerStrip = std::min<int64_t>(rows == 0 ? height : rows, height);
  }
  return layout;
}

void readPage(const TiffHandle& handle, int64_t page, const PageLayout& layout, uint8_t* dst,
              std::vector<uint8_t>& scratch) {
  TIFF* t = handle.get();
  const size_t pixel = dtypeSize(layout.dtype);
  const size_t rowBytes = static_cast<size_t>(layout.width) * pixel;
  if (!layout.tiled) {
    const int64_t rps = layout.rowsPerStrip;
    const uint32_t strips = static_cast<uint32_t>((layout.height + rps - 1) / rps);
    if (TIFFNumberOfStrips(t) < strips)
      handle.fail(pageName(page) + " has " + std::to_string(TIFFNumberOfStrips(t)) + " strips, expected " +
                  std::to_string(strips));
    for (uint32_t s = 0; s < strips; ++s) {
      int64_t rows = std::min<int64_t>(rps, layout.height - int64_t(s) * rps);
      tmsize_t want = static_cast<tmsize_t>(rows * rowBytes);
      tmsize_t got = TIFFReadEncodedStrip(t, s, dst + s * rps * rowBytes, want);
      if (got != want)
        handle.fail(pageName(page) + ": cannot decode strip " + std::to_string(s) + " of " +
                    std::to_string(strips) + ", the data is corrupt or truncated");
    }
    return;
  }
  const int64_t tw = layout.tileWidth, th = layout.tileHeight;
  const tmsize_t tileBytes = TIFFTileSize(t);
  if (tileBytes != static_cast<tmsize_t>(tw * th * pixel)) handle.fail(pageName(page) + " has an inconsistent tile size");
  scratch.resize(static_cast<size_t>(tileBytes));
  for (int64_t y0 = 0; y0 < layout.height; y0 += th) {
    for (int64_t x0 = 0; x0 < layout.width; x0 += tw) {
      ttile_t tile = TIFFComputeTile(t, uint32_t(x0), uint32_t(y0), 0, 0);
      if (TIFFReadEncodedTile(t, tile, scratch.data(), tileBytes) != tileBytes)
        handle.fail(pageName(page) + ": cannot decode tile " + std::to_string(tile) +
                    ", the data is corrupt or truncated");
      // Edge tiles are padded to the full tile size; copy only the part inside the image.
      const int64_t rows = std::min(th, layout.height - y0), cols = std::min(tw, layout.width - x0);
      for (int64_t r = 0; r < rows; ++r)
        std::memcpy(dst + ((y0 + r) * layout.width + x0) * pixel, scratch.data() + r * tw * pixel,
                    static_cast<size_t>(cols) * pixel);
    }
  }
}

int64_t countPages(TiffHandle& handle) {
  // libtiff stops counting at a broken link and only reports it through the error handler:
  // without this check a truncated file would silently read as fewer pages.
  handle.clearError();  // only what counting reports matters here
  int64_t n = TIFFNumberOfDirectories(handle.get());
  if (handle.hasError())
    handle.fail("is truncated or corrupt: the chain of page directories breaks after page " +
                std::to_string(n > 0 ? n - 1 : 0));
  if (n <= 0) handle.fail("contains no pages");
  return n;
}

void nextPage(const TiffHandle& handle, int64_t page) {
  if (!TIFFReadDirectory(handle.get())) handle.fail("cannot read the directory of " + pageName(page));
}

void checkFitsInMemory(const std::string& path, const Shape3& shape, DType dtype) {
  double bytes = double(shape.d) * double(shape.h) * double(shape.w) * double(dtypeSize(dtype));
  double ram = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  if (ram > 0 && bytes > ram)
    throw fileError(path, "volume " + shape.str() + " " + dtypeName(dtype) + " needs " +
                              std::to_string(int64_t(bytes / (1 << 30))) + " GiB, more than this machine's " +
                              std::to_string(int64_t(ram / (1 << 30))) + " GiB of memory");
}

}  // namespace vwb::detail
