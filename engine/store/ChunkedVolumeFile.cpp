#include "engine/store/ChunkedVolumeFile.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/store/ChunkCodec.h"
#include "engine/store/detail/FileWrite.h"

namespace vwb::store {

namespace {

constexpr char kMagic[8] = {'V', 'W', 'B', 'C', 'H', 'N', 'K', '1'};

struct Header {  // little-endian, as written by this (x86-64 / aarch64) build
  char magic[8];
  uint32_t version, edge;
  int64_t d, h, w;
  uint32_t hasLabel, foregroundCount, chunkCount, crc;  // crc of header (crc = 0), table, sample
};
static_assert(sizeof(Header) == 56, "packed header");
static_assert(sizeof(ChunkRecord) == 24, "packed chunk record");

uint32_t crcOf(const std::string& bytes) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// Copies one chunk of `v` into a contiguous buffer of the chunk's extent.
void gather(const VolumeU8& v, const ChunkGrid& g, int64_t cz, int64_t cy, int64_t cx, std::vector<uint8_t>& out) {
  Shape3 e = g.extent(cz, cy, cx);
  out.resize(static_cast<size_t>(e.voxels()));
  uint8_t* dst = out.data();
  for (int64_t z = 0; z < e.d; ++z)
    for (int64_t y = 0; y < e.h; ++y) {
      const uint8_t* src = &v.data[v.index(cz * g.edge + z, cy * g.edge + y, cx * g.edge)];
      std::memcpy(dst, src, static_cast<size_t>(e.w));
      dst += e.w;
    }
}

}  // namespace

int64_t writeChunkedVolume(const std::string& path, const VolumeU8& image, const VolumeU8* label, int64_t edge,
                           int64_t labelOnes) {
  ChunkGrid g{image.shape, edge};
  std::vector<ChunkRecord> table(static_cast<size_t>(g.count()));
  // Foreground sample: every stride-th label-1 voxel in z-major order (deterministic).
  std::vector<int64_t> sample;
  if (label) {
    const uint8_t* l = label->data.data();
    const size_t n = label->data.size();
    const int64_t count = labelOnes >= 0 ? labelOnes : std::count(l, l + n, uint8_t(1));
    const int64_t stride = std::max<int64_t>(1, (count + kMaxForegroundSamples - 1) / kMaxForegroundSamples);
    sample.reserve(static_cast<size_t>(std::min<int64_t>(count / stride + 1, kMaxForegroundSamples)));
    int64_t skip = 0;  // label-1 voxels still to pass before the next sample
    size_t i = 0;
    for (; i < n; ++i) {
      // Eight voxels at a time while none is 1 (most of a label is background).
      while (i + 8 <= n) {
        uint64_t word;
        std::memcpy(&word, l + i, 8);
        const uint64_t x = word ^ 0x0101010101010101ull;  // bytes equal to 1 become 0
        if (((x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull) != 0) break;
        i += 8;
      }
      if (i >= n) break;
      if (l[i] != 1) continue;
      if (skip-- == 0) {
        sample.push_back(static_cast<int64_t>(i));
        skip = stride - 1;
      }
    }
  }
  const size_t tableBytes = table.size() * sizeof(ChunkRecord), sampleBytes = sample.size() * sizeof(int64_t);
  std::string data;
  // Room for the image at about its raw size (CT noise) and one frame bound more: no regrowth.
  data.reserve(image.data.size() + image.data.size() / 32 + (label ? label->data.size() / 8 : 0) +
               2 * size_t(edge * edge * edge) + 4096);
  std::vector<uint8_t> buf;
  const uint64_t dataStart = sizeof(Header) + tableBytes + sampleBytes;
  for (int64_t cz = 0; cz < g.countZ(); ++cz)
    for (int64_t cy = 0; cy < g.countY(); ++cy)
      for (int64_t cx = 0; cx < g.countX(); ++cx) {
        ChunkRecord& r = table[static_cast<size_t>(g.index(cz, cy, cx))];
        r.offset = dataStart + data.size();
        gather(image, g, cz, cy, cx, buf);
        size_t before = data.size();
        encodeChunk(buf.data(), buf.size(), data);
        r.imageBytes = static_cast<uint32_t>(data.size() - before);
        if (label) {
          gather(*label, g, cz, cy, cx, buf);
          r.foreground = static_cast<uint32_t>(std::count(buf.begin(), buf.end(), uint8_t(1)));
          before = data.size();
          encodeChunk(buf.data(), buf.size(), data);
          r.labelBytes = static_cast<uint32_t>(data.size() - before);
        }
      }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kChunkFileVersion;
  h.edge = static_cast<uint32_t>(edge);
  h.d = image.shape.d, h.h = image.shape.h, h.w = image.shape.w;
  h.hasLabel = label != nullptr;
  h.foregroundCount = static_cast<uint32_t>(sample.size());
  h.chunkCount = static_cast<uint32_t>(table.size());
  std::string bytes(reinterpret_cast<const char*>(&h), sizeof h);
  bytes.append(reinterpret_cast<const char*>(table.data()), tableBytes);
  bytes.append(reinterpret_cast<const char*>(sample.data()), sampleBytes);
  h.crc = crcOf(bytes);
  std::memcpy(&bytes[0], &h, sizeof h);
  detail::writeFileAtomically(path, bytes, data, detail::Durability::Deferred);
  return static_cast<int64_t>(bytes.size() + data.size());
}

ChunkedVolumeFile::ChunkedVolumeFile(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) throw fileError(path_, name_ + ": cache file is missing");
  fileBytes_ = st.st_size;
  Header h{};
  if (fileBytes_ < int64_t(sizeof h)) throw fileError(path_, name_ + ": cache file is truncated");
  detail::readAt(path_, 0, sizeof h, &h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) throw fileError(path_, name_ + ": not a chunk cache file");
  if (h.version != kChunkFileVersion)
    throw fileError(path_, name_ + ": chunk file version " + std::to_string(h.version) + ", expected " +
                               std::to_string(kChunkFileVersion));
  grid_ = ChunkGrid{{h.d, h.h, h.w}, h.edge};
  if (h.edge == 0 || h.d <= 0 || h.h <= 0 || h.w <= 0 || uint64_t(grid_.count()) != h.chunkCount ||
      h.foregroundCount > kMaxForegroundSamples)
    throw fileError(path_, name_ + ": damaged header");
  hasLabel_ = h.hasLabel != 0;
  const int64_t tableBytes = int64_t(h.chunkCount) * int64_t(sizeof(ChunkRecord));
  const int64_t sampleBytes = int64_t(h.foregroundCount) * int64_t(sizeof(int64_t));
  if (int64_t(sizeof h) + tableBytes + sampleBytes > fileBytes_) throw fileError(path_, name_ + ": cache file is truncated");
  std::string bytes(sizeof h + size_t(tableBytes + sampleBytes), '\0');
  detail::readAt(path_, 0, int64_t(bytes.size()), &bytes[0]);
  const uint32_t stored = h.crc;
  Header zero = h;
  zero.crc = 0;
  std::memcpy(&bytes[0], &zero, sizeof zero);
  if (crcOf(bytes) != stored) throw fileError(path_, name_ + ": chunk table checksum mismatch (damaged cache file)");
  chunks_.resize(h.chunkCount);
  std::memcpy(chunks_.data(), bytes.data() + sizeof h, size_t(tableBytes));
  foreground_.resize(h.foregroundCount);
  std::memcpy(foreground_.data(), bytes.data() + sizeof h + tableBytes, size_t(sampleBytes));
  for (const auto& r : chunks_)
    if (int64_t(r.offset) + r.imageBytes + r.labelBytes > fileBytes_) throw fileError(path_, name_ + ": cache file is truncated");
}

void ChunkedVolumeFile::readChunk(int64_t i, int channel, std::vector<uint8_t>& out) const {
  const ChunkRecord& r = chunks_.at(static_cast<size_t>(i));
  int64_t cz, cy, cx;
  grid_.position(i, cz, cy, cx);
  auto where = [&] {
    return name_ + ": " + (channel ? "label" : "image") + " chunk (" + std::to_string(cz) + ", " +
           std::to_string(cy) + ", " + std::to_string(cx) + ") at voxel (z " + std::to_string(cz * grid_.edge) +
           ", y " + std::to_string(cy * grid_.edge) + ", x " + std::to_string(cx * grid_.edge) + ")";
  };
  if (channel == 1 && !hasLabel_) throw fileError(path_, name_ + ": has no label");
  const uint64_t offset = r.offset + (channel ? r.imageBytes : 0);
  const uint32_t size = channel ? r.labelBytes : r.imageBytes;
  std::string frame(size, '\0');
  detail::readAt(path_, int64_t(offset), size, &frame[0]);
  out.resize(static_cast<size_t>(grid_.extent(cz, cy, cx).voxels()));
  std::string problem = decodeChunk(frame.data(), frame.size(), out.data(), out.size());
  if (!problem.empty()) throw fileError(path_, where() + ": " + problem + " (run vwb preprocess to rebuild it)");
}

}  // namespace vwb::store
