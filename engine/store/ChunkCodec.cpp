#include "engine/store/ChunkCodec.h"

#include <lz4frame.h>

#include <memory>
#include <stdexcept>

namespace vwb::store {

void encodeChunk(const uint8_t* data, size_t size, std::string& out) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max4MB;  // one block per 64^3 chunk
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.contentSize = size;
  prefs.compressionLevel = 0;  // the fast default
  const size_t bound = LZ4F_compressFrameBound(size, &prefs);
  const size_t start = out.size();
  out.resize(start + bound);
  size_t n = LZ4F_compressFrame(&out[start], bound, data, size, &prefs);
  if (LZ4F_isError(n)) {  // cannot happen with a bound-sized buffer; keep the message anyway
    out.resize(start);
    throw std::runtime_error(std::string("lz4: ") + LZ4F_getErrorName(n));
  }
  out.resize(start + n);
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

}  // namespace vwb::store
