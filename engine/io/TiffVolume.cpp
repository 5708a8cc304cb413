#include "engine/io/TiffVolume.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/io/detail/TiffHandle.h"
#include "engine/io/detail/TiffPages.h"

namespace vwb {

using detail::PageLayout;
using detail::TiffHandle;

namespace {

TiffCompression compressionFromCode(int code) {
  switch (code) {
    case COMPRESSION_NONE: return TiffCompression::None;
    case COMPRESSION_LZW: return TiffCompression::LZW;
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: return TiffCompression::Deflate;
    case COMPRESSION_PACKBITS: return TiffCompression::PackBits;
    case COMPRESSION_ZSTD: return TiffCompression::ZSTD;
    default: return TiffCompression::Other;
  }
}

uint16_t codeFromCompression(TiffCompression c) {
  switch (c) {
    case TiffCompression::None: return COMPRESSION_NONE;
    case TiffCompression::LZW: return COMPRESSION_LZW;
    case TiffCompression::Deflate: return COMPRESSION_ADOBE_DEFLATE;
    case TiffCompression::PackBits: return COMPRESSION_PACKBITS;
    case TiffCompression::ZSTD: return COMPRESSION_ZSTD;
    case TiffCompression::Other: break;
  }
  return 0;
}

template <class T> constexpr DType dtypeOf();
template <> constexpr DType dtypeOf<uint8_t>() { return DType::U8; }
template <> constexpr DType dtypeOf<uint16_t>() { return DType::U16; }
template <> constexpr DType dtypeOf<float>() { return DType::F32; }

template <class From, class To>
void convertPage(const uint8_t* src, To* dst, size_t n) {
  const From* s = reinterpret_cast<const From*>(src);
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<To>(s[i]);
}

std::string describe(const PageLayout& l) {
  return std::to_string(l.height) + "x" + std::to_string(l.width) + " (HxW) " + dtypeName(l.dtype);
}

// Pages must all have page 0's size and dtype; compression and strip/tile layout may differ.
void checkSameAsFirst(const TiffHandle& tif, int64_t page, const PageLayout& l, const PageLayout& first) {
  if (l.width != first.width || l.height != first.height || l.dtype != first.dtype)
    tif.fail("page " + std::to_string(page) + " is " + describe(l) + " but page 0 is " + describe(first) +
             "; all pages of a volume must agree");
}


// Decodes into `volume`, whose buffer is reused when it is large enough (no allocation, no zeroing).
template <class T>
void readVolumeInto(const std::string& path, bool convert, Volume<T>& volume) {
  TiffHandle tif(path, detail::kTiffReadMode);
  const int64_t pages = detail::countPages(tif);
  const PageLayout first = detail::readPageLayout(tif, 0);
  if (!convert && first.dtype != dtypeOf<T>())
    throw fileError(path, std::string("holds ") + dtypeName(first.dtype) + " voxels, expected " +
                              dtypeName(dtypeOf<T>()));
  const Shape3 shape{pages, first.height, first.width};
  detail::checkFitsInMemory(path, shape, dtypeOf<T>());
  volume.shape = shape;
  volume.data.resize(static_cast<size_t>(shape.voxels()));
  const size_t pageVoxels = static_cast<size_t>(first.height * first.width);
  std::vector<uint8_t> scratch, native;
  for (int64_t p = 0; p < pages; ++p) {
    PageLayout layout = first;
    if (p > 0) {
      detail::nextPage(tif, p);
      layout = detail::readPageLayout(tif, p);
      checkSameAsFirst(tif, p, layout, first);
    }
    T* dst = volume.data.data() + p * pageVoxels;
    if (layout.dtype == dtypeOf<T>()) {
      detail::readPage(tif, p, layout, reinterpret_cast<uint8_t*>(dst), scratch);
      continue;
    }
    native.resize(layout.bytes());
    detail::readPage(tif, p, layout, native.data(), scratch);
    switch (layout.dtype) {
      case DType::U8: convertPage<uint8_t>(native.data(), dst, pageVoxels); break;
      case DType::U16: convertPage<uint16_t>(native.data(), dst, pageVoxels); break;
      case DType::F32: convertPage<float>(native.data(), dst, pageVoxels); break;
    }
  }
}

template <class T>
Volume<T> readVolumeAs(const std::string& path, bool convert) {
  Volume<T> volume;
  readVolumeInto(path, convert, volume);
  return volume;
}

}  // namespace

const char* compressionName(TiffCompression c) {
  switch (c) {
    case TiffCompression::None: return "none";
    case TiffCompression::LZW: return "lzw";
    case TiffCompression::Deflate: return "deflate";
    case TiffCompression::PackBits: return "packbits";
    case TiffCompression::ZSTD: return "zstd";
    case TiffCompression::Other: return "other";
  }
  return "?";
}

TiffCompression parseCompression(const std::string& name) {
  std::string n;
  for (char ch : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (n == "none" || n == "raw") return TiffCompression::None;
  if (n == "lzw") return TiffCompression::LZW;
  if (n == "deflate" || n == "zip" || n == "zlib") return TiffCompression::Deflate;
  if (n == "packbits") return TiffCompression::PackBits;
  if (n == "zstd") return TiffCompression::ZSTD;
  throw Error("unknown TIFF compression '" + name + "' (expected none, lzw, deflate, packbits or zstd)");
}

bool compressionAvailable(TiffCompression c) {
  uint16_t code = codeFromCompression(c);
  return code != 0 && TIFFIsCODECConfigured(code);
}

TiffInfo probeTiff(const std::string& path) {
  TiffHandle tif(path, detail::kTiffReadMode);
  const int64_t pages = detail::countPages(tif);
  const PageLayout first = detail::readPageLayout(tif, 0);
  for (int64_t p = 1; p < pages; ++p) {
    detail::nextPage(tif, p);
    checkSameAsFirst(tif, p, detail::readPageLayout(tif, p), first);
  }
  TiffInfo info;
  info.shape = {pages, first.height, first.width};
  info.dtype = first.dtype;
  info.compression = compressionFromCode(first.compression);
  info.compressionCode = first.compression;
  info.tiled = first.tiled;
  info.tileWidth = first.tileWidth;
  info.tileHeight = first.tileHeight;
  info.rowsPerStrip = first.rowsPerStrip;
  info.bigTiff = TIFFIsBigTIFF(tif.get()) != 0;
  return info;
}

VolumeU8 readVolumeU8(const std::string& path) { return readVolumeAs<uint8_t>(path, false); }
void readVolumeU8(const std::string& path, VolumeU8& into) { readVolumeInto<uint8_t>(path, false, into); }
VolumeU16 readVolumeU16(const std::string& path) { return readVolumeAs<uint16_t>(path, false); }
VolumeF32 readVolumeF32(const std::string& path) { return readVolumeAs<float>(path, true); }

void writeVolumeU8(const std::string& path, const VolumeU8& volume, TiffCompression compression) {
  const Shape3 s = volume.shape;
  if (s.empty()) throw fileError(path, "cannot write an empty volume (" + s.str() + ")");
  if (volume.data.size() != static_cast<size_t>(s.voxels()))
    throw fileError(path, "volume buffer holds " + std::to_string(volume.data.size()) +
                              " voxels but its shape " + s.str() + " needs " + std::to_string(s.voxels()));
  if (s.h > UINT32_MAX || s.w > UINT32_MAX) throw fileError(path, "page too large for TIFF: " + s.str());
  if (!compressionAvailable(compression))
    throw fileError(path, std::string("cannot write with compression '") + compressionName(compression) +
                              "': not available in this libtiff");
  // Classic TIFF offsets are 32-bit; leave room for directories and compression overhead.
  const bool big = static_cast<uint64_t>(s.voxels()) > 3'500'000'000ull;
  const std::string tmp = atomicTempPath(path);
  // Strips of ~64 KiB: small enough to keep the codec's working set in cache, large enough that
  // the per-strip overhead does not matter.
  const int64_t rowsPerStrip = std::clamp<int64_t>(65536 / s.w, 1, s.h);
  const size_t rowBytes = static_cast<size_t>(s.w);
  try {
    TiffHandle tif(tmp, big ? "w8" : "w");
    TIFF* t = tif.get();
    std::vector<uint8_t> strip(static_cast<size_t>(rowsPerStrip) * rowBytes);
    for (int64_t z = 0; z < s.d; ++z) {
      TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(s.w));
      TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(s.h));
      TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
      TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
      TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
      TIFFSetField(t, TIFFTAG_COMPRESSION, codeFromCompression(compression));
      TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(rowsPerStrip));
      TIFFSetField(t, TIFFTAG_SOFTWARE, "Vesuvius Workbench");
      const uint8_t* page = volume.data.data() + static_cast<size_t>(z * s.h) * rowBytes;
      for (int64_t y0 = 0, i = 0; y0 < s.h; y0 += rowsPerStrip, ++i) {
        size_t bytes = static_cast<size_t>(std::min(rowsPerStrip, s.h - y0)) * rowBytes;
        // Codecs may scribble on their input (predictors do), so encode from a copy.
        std::memcpy(strip.data(), page + static_cast<size_t>(y0) * rowBytes, bytes);
        if (TIFFWriteEncodedStrip(t, static_cast<uint32_t>(i), strip.data(), static_cast<tmsize_t>(bytes)) < 0)
          tif.fail("cannot write page " + std::to_string(z));
      }
      if (!TIFFWriteDirectory(t)) tif.fail("cannot write the directory of page " + std::to_string(z));
    }
    if (::fsync(TIFFFileno(t)) != 0) tif.fail(std::string("cannot flush to disk: ") + std::strerror(errno));
    tif.close();
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  commitAtomically(tmp, path, Durability::Deferred);  // synced above
}

}  // namespace vwb
