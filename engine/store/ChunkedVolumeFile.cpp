#include "engine/store/ChunkedVolumeFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/store/ChunkCodec.h"
#include "engine/store/detail/FileWrite.h"

namespace vwb::store {

namespace {

constexpr char kMagic[8] = {'V', 'W', 'B', 'C', 'H', 'N', 'K', '1'};  // the format's version is in the header

// How the label frames hold their voxels.
constexpr uint32_t kNoLabel = 0, kLabelBytes = 1 /* one byte each */, kLabelPacked2 = 2 /* 2 bits each */;

struct Header {  // little-endian, as written by this (x86-64 / aarch64) build
  char magic[8];
  uint32_t version, edge;
  int64_t d, h, w;
  uint32_t labelEncoding, foregroundCount, chunkCount, crc;  // crc of header (crc = 0), table, sample
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

// std::count on bytes sums into 64 bits, which SSE2 does poorly (~18 ms per 320^3); a byte
// counter per run of 255 vectorizes to a compare and a subtract per 16 voxels (~20x faster).
int64_t countOnes(const uint8_t* p, size_t n) {
  int64_t total = 0;
  for (size_t b = 0; b < n; b += 255) {
    const size_t e = std::min(n, b + 255);
    uint8_t c = 0;
    for (size_t i = b; i < e; ++i) c = uint8_t(c + (p[i] == 1));
    total += c;
  }
  return total;
}

}  // namespace

int64_t writeChunkedVolume(const std::string& path, const VolumeU8& image, const VolumeU8* label, int64_t edge,
                           int64_t labelOnes, int maxLabel, detail::AlignedBuffer* buffer) {
  ChunkGrid g{image.shape, edge};
  std::vector<ChunkRecord> table(static_cast<size_t>(g.count()));
  // Foreground sample: every stride-th label-1 voxel in z-major order (deterministic).
  std::vector<int64_t> sample;
  uint32_t labelEncoding = kNoLabel;
  if (label) {
    const uint8_t* l = label->data.data();
    const size_t n = label->data.size();
    const int64_t count = labelOnes >= 0 ? labelOnes : countOnes(l, n);
    if (maxLabel < 0) maxLabel = n ? *std::max_element(l, l + n) : 0;
    labelEncoding = maxLabel <= 3 ? kLabelPacked2 : kLabelBytes;
    const int64_t stride = std::max<int64_t>(1, (count + kMaxForegroundSamples - 1) / kMaxForegroundSamples);
    sample.reserve(static_cast<size_t>(std::min<int64_t>(count / stride + 1, kMaxForegroundSamples)));
    int64_t skip = 0;  // label-1 voxels still to pass before the next sample
    size_t i = 0;
    // 64 voxels at a time: a block whose ones are all skipped costs one vector compare and sum.
    for (; i + 64 <= n; i += 64) {
      uint8_t ones = 0;
      for (size_t k = 0; k < 64; ++k) ones = uint8_t(ones + (l[i + k] == 1));
      if (skip >= ones) {
        skip -= ones;
        continue;
      }
      for (size_t k = 0; k < 64; ++k)
        if (l[i + k] == 1 && skip-- == 0) {
          sample.push_back(static_cast<int64_t>(i + k));
          skip = stride - 1;
        }
    }
    for (; i < n; ++i)
      if (l[i] == 1 && skip-- == 0) {
        sample.push_back(static_cast<int64_t>(i));
        skip = stride - 1;
      }
  }
  const size_t tableBytes = table.size() * sizeof(ChunkRecord), sampleBytes = sample.size() * sizeof(int64_t);
  const size_t headBytes = sizeof(Header) + tableBytes + sampleBytes;
  // The whole file goes into one buffer, sized for the worst case: the head first (filled in
  // last), then the frames. A buffer reused from volume to volume is neither mapped nor zeroed again.
  size_t bound = headBytes;
  for (int64_t c = 0; c < g.count(); ++c) {
    int64_t cz, cy, cx;
    g.position(c, cz, cy, cx);
    const size_t voxels = size_t(g.extent(cz, cy, cx).voxels());
    bound += chunkFrameBound(voxels);
    if (label) bound += chunkFrameBound(labelEncoding == kLabelPacked2 ? packedLabelBytes(voxels) : voxels);
  }
  detail::AlignedBuffer local, &file = buffer ? *buffer : local;
  file.reserve(bound);
  char* const out = file.data();
  size_t used = headBytes;
  std::vector<uint8_t> buf, packed;
  for (int64_t cz = 0; cz < g.countZ(); ++cz)
    for (int64_t cy = 0; cy < g.countY(); ++cy)
      for (int64_t cx = 0; cx < g.countX(); ++cx) {
        ChunkRecord& r = table[static_cast<size_t>(g.index(cz, cy, cx))];
        r.offset = used;
        gather(image, g, cz, cy, cx, buf);
        r.imageBytes = static_cast<uint32_t>(encodeChunk(buf.data(), buf.size(), out + used));
        used += r.imageBytes;
        if (label) {
          const Shape3 e = g.extent(cz, cy, cx);
          const bool pack = labelEncoding == kLabelPacked2;
          if (pack && e.w % 4 == 0) {
            // Rows pack straight from the volume (no gathered copy); each fills whole bytes.
            packed.resize(packedLabelBytes(size_t(e.voxels())));
            uint8_t* dst = packed.data();
            int64_t ones = 0;
            for (int64_t z = 0; z < e.d; ++z)
              for (int64_t y = 0; y < e.h; ++y, dst += e.w / 4) {
                const uint8_t* row = &label->data[label->index(cz * g.edge + z, cy * g.edge + y, cx * g.edge)];
                ones += countOnes(row, size_t(e.w));
                packLabels2(row, size_t(e.w), dst);
              }
            r.foreground = static_cast<uint32_t>(ones);
          } else {
            gather(*label, g, cz, cy, cx, buf);
            r.foreground = static_cast<uint32_t>(countOnes(buf.data(), buf.size()));
            if (pack) {
              packed.resize(packedLabelBytes(buf.size()));
              packLabels2(buf.data(), buf.size(), packed.data());
            }
          }
          const std::vector<uint8_t>& frame = pack ? packed : buf;
          r.labelBytes = static_cast<uint32_t>(encodeChunk(frame.data(), frame.size(), out + used));
          used += r.labelBytes;
        }
      }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kChunkFileVersion;
  h.edge = static_cast<uint32_t>(edge);
  h.d = image.shape.d, h.h = image.shape.h, h.w = image.shape.w;
  h.labelEncoding = labelEncoding;
  h.foregroundCount = static_cast<uint32_t>(sample.size());
  h.chunkCount = static_cast<uint32_t>(table.size());
  std::memcpy(out, &h, sizeof h);
  std::memcpy(out + sizeof h, table.data(), tableBytes);
  std::memcpy(out + sizeof h + tableBytes, sample.data(), sampleBytes);
  h.crc = static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(out), static_cast<uInt>(headBytes)));
  std::memcpy(out, &h, sizeof h);
  detail::writeFileDirect(path, out, used);
  return static_cast<int64_t>(used);
}

namespace {

// The open file's descriptor, closed at scope end.
struct OpenFile {
  int fd = -1;
  OpenFile(const std::string& path, const std::string& name) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd < 0) {
      const int e = errno;
      throw fileError(path, name + (e == ENOENT ? ": cache file is missing" : ": cannot open: " + std::string(std::strerror(e))));
    }
  }
  ~OpenFile() { ::close(fd); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
};

}  // namespace

ChunkedVolumeFile::ChunkedVolumeFile(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {
  OpenFile f(path_, name_);
  current_ = load(f.fd);
}

ChunkedVolumeFile::~ChunkedVolumeFile() = default;

std::shared_ptr<const ChunkedVolumeFile::Layout> ChunkedVolumeFile::layout() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

bool ChunkedVolumeFile::Layout::sameFile(const struct stat& st) const {
  return uint64_t(st.st_dev) == device && uint64_t(st.st_ino) == inode && int64_t(st.st_size) == fileBytes &&
         int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec == ctimeNs;
}

int ChunkedVolumeFile::reloads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return int(retired_.size());
}

std::shared_ptr<const ChunkedVolumeFile::Layout> ChunkedVolumeFile::load(int fd) const {
  auto L = std::make_shared<Layout>();
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw fileError(path_, name_ + ": cannot read: " + std::strerror(errno));
  L->fileBytes = st.st_size;
  L->device = uint64_t(st.st_dev);
  L->inode = uint64_t(st.st_ino);
  L->ctimeNs = int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  Header h{};
  if (L->fileBytes < int64_t(sizeof h)) throw fileError(path_, name_ + ": cache file is truncated");
  detail::readAt(fd, path_, 0, sizeof h, &h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) throw fileError(path_, name_ + ": not a chunk cache file");
  if (h.version != kChunkFileVersion)
    throw fileError(path_, name_ + ": chunk file version " + std::to_string(h.version) + ", expected " +
                               std::to_string(kChunkFileVersion));
  L->grid = ChunkGrid{{h.d, h.h, h.w}, h.edge};
  if (h.edge == 0 || h.d <= 0 || h.h <= 0 || h.w <= 0 || uint64_t(L->grid.count()) != h.chunkCount ||
      h.foregroundCount > kMaxForegroundSamples || h.labelEncoding > kLabelPacked2)
    throw fileError(path_, name_ + ": damaged header");
  L->hasLabel = h.labelEncoding != kNoLabel;
  L->packedLabel = h.labelEncoding == kLabelPacked2;
  const int64_t tableBytes = int64_t(h.chunkCount) * int64_t(sizeof(ChunkRecord));
  const int64_t sampleBytes = int64_t(h.foregroundCount) * int64_t(sizeof(int64_t));
  if (int64_t(sizeof h) + tableBytes + sampleBytes > L->fileBytes) throw fileError(path_, name_ + ": cache file is truncated");
  std::string bytes(sizeof h + size_t(tableBytes + sampleBytes), '\0');
  detail::readAt(fd, path_, 0, int64_t(bytes.size()), &bytes[0]);
  const uint32_t stored = h.crc;
  Header zero = h;
  zero.crc = 0;
  std::memcpy(&bytes[0], &zero, sizeof zero);
  if (crcOf(bytes) != stored) throw fileError(path_, name_ + ": chunk table checksum mismatch (damaged cache file)");
  L->chunks.resize(h.chunkCount);
  std::memcpy(L->chunks.data(), bytes.data() + sizeof h, size_t(tableBytes));
  L->foreground.resize(h.foregroundCount);
  std::memcpy(L->foreground.data(), bytes.data() + sizeof h + tableBytes, size_t(sampleBytes));
  for (const auto& r : L->chunks)
    if (r.offset > uint64_t(L->fileBytes) || uint64_t(r.imageBytes) + r.labelBytes > uint64_t(L->fileBytes) - r.offset)
      throw fileError(path_, name_ + ": cache file is truncated");
  return L;
}

void ChunkedVolumeFile::readChunk(int64_t i, int channel, std::vector<uint8_t>& out) const {
  // The path may name another file than the table came from (replaced by rename): read the
  // table of the file actually opened, so offsets and file always belong together.
  OpenFile f(path_, name_);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw fileError(path_, name_ + ": cannot read: " + std::strerror(errno));
  std::shared_ptr<const Layout> L = layout();
  if (!L->sameFile(st)) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!current_->sameFile(st)) {
      auto fresh = load(f.fd);
      const Shape3 was = current_->grid.shape, now = fresh->grid.shape;
      if (was.d != now.d || was.h != now.h || was.w != now.w || fresh->grid.edge != current_->grid.edge ||
          fresh->hasLabel != current_->hasLabel)
        throw fileError(path_, name_ + ": the cache file was replaced by one of another shape while it was "
                                       "read; start again (the volume changed under the run)");
      retired_.push_back(current_);
      current_ = fresh;
    }
    L = current_;
    if (!L->sameFile(st)) L = load(f.fd);  // replaced again
  }
  const ChunkGrid& grid = L->grid;
  const ChunkRecord& r = L->chunks.at(static_cast<size_t>(i));
  int64_t cz, cy, cx;
  grid.position(i, cz, cy, cx);
  auto where = [&] {
    return name_ + ": " + (channel ? "label" : "image") + " chunk (" + std::to_string(cz) + ", " +
           std::to_string(cy) + ", " + std::to_string(cx) + ") at voxel (z " + std::to_string(cz * grid.edge) +
           ", y " + std::to_string(cy * grid.edge) + ", x " + std::to_string(cx * grid.edge) + ")";
  };
  if (channel == 1 && !L->hasLabel) throw fileError(path_, name_ + ": has no label");
  const uint64_t offset = r.offset + (channel ? r.imageBytes : 0);
  const uint32_t size = channel ? r.labelBytes : r.imageBytes;
  std::string frame(size, '\0');
  detail::readAt(f.fd, path_, int64_t(offset), size, &frame[0]);
  out.resize(static_cast<size_t>(grid.extent(cz, cy, cx).voxels()));
  std::string problem;
  if (channel == 1 && L->packedLabel) {
    thread_local std::vector<uint8_t> packed;
    packed.resize(packedLabelBytes(out.size()));
    problem = decodeChunk(frame.data(), frame.size(), packed.data(), packed.size());
    if (problem.empty()) unpackLabels2(packed.data(), out.size(), out.data());
  } else {
    problem = decodeChunk(frame.data(), frame.size(), out.data(), out.size());
  }
  if (!problem.empty())
    throw fileError(path_, where() + ": " + problem + " (run `vwb preprocess --data DATASET --verify`: it rebuilds damaged volumes)");
}

}  // namespace vwb::store
