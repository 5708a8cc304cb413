#pragma once
// How one chunk's bytes are stored: an LZ4 frame with its XXH32 content checksum (liblz4).
// CT noise is nearly incompressible to any byte-oriented LZ, and labels compress ~200x even
// with LZ4, so the fastest decoder wins (measurement in engine/store/README.md).
#include <cstddef>
#include <cstdint>
#include <string>

namespace vwb::store {

// Appends the encoded frame to `out`.
void encodeChunk(const uint8_t* data, size_t size, std::string& out);

// Decodes exactly `size` bytes into `out`. Returns an empty string on success, else what is
// wrong (checksum mismatch, corrupt frame, wrong size): the caller names the volume and chunk.
std::string decodeChunk(const char* frame, size_t frameBytes, uint8_t* out, size_t size);

}  // namespace vwb::store
