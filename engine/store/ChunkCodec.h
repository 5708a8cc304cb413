#pragma once
// How one chunk's bytes are stored: an LZ4 frame with its XXH32 content checksum (liblz4).
// CT noise is nearly incompressible to any byte-oriented LZ, so the fastest decoder wins; labels
// (0, 1, 2) are packed 2 bits per voxel first, which makes LZ4 ~6x faster on them and the frames
// ~2x smaller (measurements in engine/store/README.md).
#include <cstddef>
#include <cstdint>
#include <string>

namespace vwb::store {

// The most bytes encodeChunk writes for `size` bytes of input.
size_t chunkFrameBound(size_t size);
// Encodes `size` bytes into `out` (room for chunkFrameBound(size)); returns the frame's size.
size_t encodeChunk(const uint8_t* data, size_t size, char* out);

// Decodes exactly `size` bytes into `out`. Returns an empty string on success, else what is
// wrong (checksum mismatch, corrupt frame, wrong size): the caller names the volume and chunk.
std::string decodeChunk(const char* frame, size_t frameBytes, uint8_t* out, size_t size);

// 2-bit packing of labels whose values are all <= 3: voxel i goes to bits 2*(i%4) of byte i/4,
// the last byte's unused bits are 0.
inline size_t packedLabelBytes(size_t voxels) { return (voxels + 3) / 4; }
inline void packLabels2(const uint8_t* labels, size_t voxels, uint8_t* packed) {  // inline: called per 64-voxel row
  const size_t whole = voxels / 4;
  for (size_t i = 0; i < whole; ++i, labels += 4)  // vectorizes: byte loads, masks and shifts
    packed[i] = uint8_t((labels[0] & 3u) | (labels[1] & 3u) << 2 | (labels[2] & 3u) << 4 | (labels[3] & 3u) << 6);
  if (const size_t rest = voxels - 4 * whole) {
    uint8_t last = 0;
    for (size_t k = 0; k < rest; ++k) last = uint8_t(last | (labels[k] & 3u) << (2 * k));
    packed[whole] = last;
  }
}
void unpackLabels2(const uint8_t* packed, size_t voxels, uint8_t* labels);

}  // namespace vwb::store
