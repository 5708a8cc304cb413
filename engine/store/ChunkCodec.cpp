#include "engine/store/ChunkCodec.h"

#include <lz4frame.h>

#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace vwb::store {

namespace {
LZ4F_preferences_t preferences(size_t size) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max4MB;  // one block per 64^3 chunk
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.contentSize = size;
  prefs.compressionLevel = 0;  // the fast default
  return prefs;
}
}  // namespace

size_t chunkFrameBound(size_t size) {
  const LZ4F_preferences_t prefs = preferences(size);
  return LZ4F_compressFrameBound(size, &prefs);
}

size_t encodeChunk(const uint8_t* data, size_t size, char* out) {
  const LZ4F_preferences_t prefs = preferences(size);
  const size_t n = LZ4F_compressFrame(out, LZ4F_compressFrameBound(size, &prefs), data, size, &prefs);
  // Cannot fail with a bound-sized buffer; keep the message anyway.
  if (LZ4F_isError(n)) throw std::runtime_error(std::string("lz4: ") + LZ4F_getErrorName(n));
  return n;
}

namespace {
struct ContextFree {
  void operator()(LZ4F_dctx* c) const { LZ4F_freeDecompressionContext(c); }
};
}  // namespace

std::string decodeChunk(const char* frame, size_t frameBytes, uint8_t* out, size_t size) {
  // A context per call: it is small next to a 256 KiB chunk, and an error leaves no state behind.
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) return "lz4: no memory";
  std::unique_ptr<LZ4F_dctx, ContextFree> ctx(raw);
  size_t written = 0, read = 0;
  for (;;) {
    size_t dst = size - written, src = frameBytes - read;
    size_t hint = LZ4F_decompress(ctx.get(), out + written, &dst, frame + read, &src, nullptr);
    if (LZ4F_isError(hint)) {
      std::string name = LZ4F_getErrorName(hint);
      if (name.find("ontentChecksum") != std::string::npos) return "checksum mismatch";
      return "corrupt data (" + name + ")";
    }
    written += dst;
    read += src;
    if (hint == 0) break;  // frame complete, checksum verified
    if (src == 0 && dst == 0) return "truncated data";
    if (written == size && read == frameBytes) return "truncated data";
  }
  if (written != size) return "decodes to " + std::to_string(written) + " bytes, expected " + std::to_string(size);
  if (read != frameBytes) return "trailing bytes after the frame";
  return {};
}

void unpackLabels2(const uint8_t* packed, size_t voxels, uint8_t* labels) {
  // One table lookup writes four voxels.
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t b = 0; b < 256; ++b) t[b] = (b & 3u) | ((b >> 2 & 3u) << 8) | ((b >> 4 & 3u) << 16) | ((b >> 6 & 3u) << 24);
    return t;
  }();
  const size_t whole = voxels / 4;
  for (size_t i = 0; i < whole; ++i) std::memcpy(labels + 4 * i, &table[packed[i]], 4);
  for (size_t k = 0; whole * 4 + k < voxels; ++k) labels[whole * 4 + k] = uint8_t(packed[whole] >> (2 * k) & 3u);
}

}  // namespace vwb::store
