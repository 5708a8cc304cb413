// The preprocessed chunk cache: exact round trip, incremental and interrupted preprocessing,
// corrupt chunks and strips named with their volume and position, a bounded decoded-chunk cache.
#include <QtTest>

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/io/TiffVolume.h"
#include "engine/store/CachedVolumeSet.h"
#include "engine/store/ChunkedVolumeFile.h"
#include "engine/store/DatasetCache.h"

using namespace vwb;
using namespace vwb::store;
namespace fs = std::filesystem;

namespace {

// A mount namespace of this process's own, where it may mount a tmpfs: directly as root, else
// as root of a new user namespace (where the kernel allows unprivileged ones).
bool enterPrivateMounts() {
  if (::unshare(CLONE_NEWNS) != 0) {
    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return false;
    std::ofstream("/proc/self/setgroups") << "deny";
    std::ofstream("/proc/self/uid_map") << "0 " << uid << " 1";
    std::ofstream("/proc/self/gid_map") << "0 " << gid << " 1";
  }
  // Mounts made here stay here.
  return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
}

VolumeU8 randomVolume(Shape3 s, uint64_t seed, bool label) {
  VolumeU8 v(s);
  std::mt19937_64 rng(seed);
  for (auto& x : v.data) x = label ? uint8_t(rng() % 7 == 0 ? 1 : rng() % 11 == 0 ? 2 : 0) : uint8_t(rng() % 256);
  return v;
}

// Cancels after `after` volumes were reported done.
class CancelAfter : public ProgressSink {
 public:
  CancelAfter(CancelToken& token, int64_t after) : token_(token), after_(after) {}
  void progress(const std::string&, int64_t done, int64_t) override {
    if (done >= after_) token_.cancel();
  }

 private:
  CancelToken& token_;
  int64_t after_;
};

}  // namespace

class TestDatasetCache : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  int counter_ = 0;

  // A fresh folder with n labelled volumes of shape s; fills specs and keeps the decoded volumes.
  std::string makeVolumes(int n, Shape3 s, std::vector<CacheVolumeSpec>& specs, std::vector<VolumeU8>* images = nullptr,
                          std::vector<VolumeU8>* labels = nullptr) {
    fs::path dir = fs::path(tmp_.path().toStdString()) / ("set" + std::to_string(counter_++));
    fs::create_directories(dir);
    for (int i = 0; i < n; ++i) addVolume(dir, std::to_string(i), s, uint64_t(i) + 1, specs, images, labels);
    return dir.string();
  }
  void addVolume(const fs::path& dir, const std::string& id, Shape3 s, uint64_t seed, std::vector<CacheVolumeSpec>& specs,
                 std::vector<VolumeU8>* images, std::vector<VolumeU8>* labels) {
    VolumeU8 image = randomVolume(s, seed, false), label = randomVolume(s, seed + 1000, true);
    std::string ip = (dir / (id + "_image.tif")).string(), lp = (dir / (id + "_label.tif")).string();
    writeVolumeU8(ip, image, TiffCompression::LZW);
    writeVolumeU8(lp, label, TiffCompression::LZW);
    specs.push_back({id, "train", ip, lp});
    if (images) images->push_back(std::move(image));
    if (labels) labels->push_back(std::move(label));
  }
  std::unique_ptr<CachedVolumeSet> open(const DatasetCache& cache, const std::vector<CacheVolumeSpec>& specs,
                                        int64_t budget) {
    std::vector<std::unique_ptr<ChunkedVolumeFile>> files;
    for (auto& s : specs) files.push_back(std::make_unique<ChunkedVolumeFile>(cache.dataPath("train", s.id), "train volume " + s.id));
    return std::make_unique<CachedVolumeSet>(std::move(files), budget);
  }

 private slots:
  void boxesReadBackExactlyIncludingBordersAndPadding() {
    std::vector<CacheVolumeSpec> specs;
    std::vector<VolumeU8> images, labels;
    std::string dir = makeVolumes(2, {70, 40, 90}, specs, &images, &labels);
    DatasetCache cache(dir + "/cache");
    PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.processed, int64_t(2));
    QCOMPARE(r.failed, int64_t(0));
    auto e = cache.fresh(specs[1]);
    QVERIFY(e && e->decoded);
    QCOMPARE(e->shape, images[1].shape);
    int64_t ones = std::count(labels[1].data.begin(), labels[1].data.end(), uint8_t(1));
    QCOMPARE(e->labelHistogram[1], ones);
    QCOMPARE(e->imageHistogram[37], int64_t(std::count(images[1].data.begin(), images[1].data.end(), uint8_t(37))));
    auto set = open(cache, specs, 64 << 20);
    // Boxes across chunk borders, the volume's far border and outside it (padding 0 / 2).
    std::mt19937_64 rng(5);
    for (int t = 0; t < 40; ++t) {
      size_t v = rng() % 2;
      int64_t z0 = int64_t(rng() % 90) - 10, y0 = int64_t(rng() % 60) - 10, x0 = int64_t(rng() % 110) - 10;
      int64_t d = 1 + int64_t(rng() % 40), h = 1 + int64_t(rng() % 40), w = 1 + int64_t(rng() % 40);
      std::vector<uint8_t> im(size_t(d * h * w)), lab(im.size());
      set->readBox(v, z0, y0, x0, d, h, w, im.data(), lab.data());
      const Shape3 s = images[v].shape;
      for (int64_t z = 0; z < d; ++z)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x) {
            int64_t sz = z0 + z, sy = y0 + y, sx = x0 + x;
            bool inside = sz >= 0 && sz < s.d && sy >= 0 && sy < s.h && sx >= 0 && sx < s.w;
            size_t i = size_t((z * h + y) * w + x);
            QCOMPARE(im[i], inside ? images[v].at(sz, sy, sx) : uint8_t(0));
            QCOMPARE(lab[i], inside ? labels[v].at(sz, sy, sx) : uint8_t(2));
          }
    }
    // The foreground sample holds label-1 voxels only.
    for (int64_t i : set->file(0).foregroundSample()) QCOMPARE(labels[0].data[size_t(i)], uint8_t(1));
    QVERIFY(!set->file(0).foregroundSample().empty());
  }

  void preprocessingIsIncremental() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(3, {20, 24, 28}, specs);
    DatasetCache cache(dir + "/cache");
    QCOMPARE(cache.preprocess(specs).processed, int64_t(3));
    PreprocessReport again = cache.preprocess(specs);
    QCOMPARE(again.processed, int64_t(0));
    QCOMPARE(again.reused, int64_t(3));
    // Two added volumes: only those are preprocessed.
    addVolume(dir, "3", {20, 24, 28}, 50, specs, nullptr, nullptr);
    addVolume(dir, "4", {20, 24, 28}, 60, specs, nullptr, nullptr);
    PreprocessReport added = cache.preprocess(specs);
    QCOMPARE(added.processed, int64_t(2));
    QCOMPARE(added.reused, int64_t(3));
    // A changed file (new content, new size/mtime) is redone, and the cache holds the new content.
    VolumeU8 changed = randomVolume({20, 24, 28}, 99, false);
    writeVolumeU8(specs[1].imagePath, changed, TiffCompression::None);
    QVERIFY(!cache.fresh(specs[1]));
    PreprocessReport redone = cache.preprocess(specs);
    QCOMPARE(redone.processed, int64_t(1));
    auto set = open(cache, specs, 1 << 20);
    std::vector<uint8_t> im(size_t(changed.shape.voxels()));
    set->readBox(1, 0, 0, 0, 20, 24, 28, im.data(), nullptr);
    QVERIFY(im == changed.data);
  }

  void interruptedPreprocessingResumes() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(5, {16, 16, 16}, specs);
    DatasetCache cache(dir + "/cache");
    CancelToken cancel;
    CancelAfter stopper(cancel, 2);
    PreprocessOptions one;
    one.jobs = 1;
    QVERIFY_THROWS_EXCEPTION(Cancelled, cache.preprocess(specs, one, &stopper, &cancel));
    int64_t finished = cache.freshCount(specs);
    QCOMPARE(finished, int64_t(2));
    // A kill after a chunk file but before its entry leaves a stray file: that volume is redone.
    { std::ofstream(cache.dataPath("train", specs[4].id)) << "half"; }
    PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.reused, finished);
    QCOMPARE(r.processed, int64_t(5) - finished);
    QCOMPARE(cache.freshCount(specs), int64_t(5));
    QVERIFY(cache.verify(specs).empty());
  }

  // A kill -9 during a write leaves PATH.tmp-HOST-PID-N: the next preprocessing removes this
  // host's whose process is gone, and other hosts' (a shared cache folder) once a day old.
  void tempFilesOfAKilledRunAreRemoved() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(1, {16, 16, 16}, specs);
    DatasetCache cache(dir + "/cache");
    cache.preprocess(specs);
    char buf[256] = {};
    QCOMPARE(::gethostname(buf, sizeof buf - 1), 0);
    std::string host = buf;
    for (char& c : host)
      if (c == '-' || c == '/') c = '_';
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    QVERIFY(dead > 0);
    QCOMPARE(::waitpid(dead, nullptr, 0), dead);
    const fs::path folder = fs::path(cache.dataPath("train", "0")).parent_path();
    const auto make = [&](const std::string& name) {
      std::ofstream(folder / name) << "half a chunk file";
      return folder / name;
    };
    const fs::path killed = make("7.chunks.tmp-" + host + "-" + std::to_string(dead) + "-0");
    const fs::path alive = make("8.chunks.tmp-" + host + "-" + std::to_string(::getpid()) + "-3");
    const fs::path otherNew = make("9.json.tmp-node2-12345-0");
    const fs::path otherOld = make("10.json.tmp-node2-12345-1");
    fs::last_write_time(otherOld, fs::file_time_type::clock::now() - std::chrono::hours(48));
    const PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.staleTempFilesRemoved, int64_t(2));
    QVERIFY(!fs::exists(killed) && !fs::exists(otherOld));
    QVERIFY(fs::exists(alive) && fs::exists(otherNew));
    // What this process writes is named for this host and process: a later run by a live
    // process removes nothing of it.
    QCOMPARE(cache.preprocess(specs).staleTempFilesRemoved, int64_t(0));
  }

  // A dataset folder the cache cannot be made in (read-only; here a file named .vwb, which stops
  // it for root too): the cache lives in the user's cache folder, said in a note, and works.
  void unwritableDatasetFallsBackToTheUserCacheFolder() {
    std::vector<CacheVolumeSpec> specs;
    const std::string dir = makeVolumes(1, {16, 16, 16}, specs);
    { std::ofstream(fs::path(dir) / ".vwb") << "not a folder"; }
    const QByteArray userCache = (tmp_.path() + "/xdg-cache").toUtf8();
    const QByteArray before = qgetenv("XDG_CACHE_HOME");
    qputenv("XDG_CACHE_HOME", userCache);
    const CacheLocation where = locateCache(dir, ""), found = findCache(dir);
    qputenv("XDG_CACHE_HOME", before);
    QVERIFY2(where.dir.rfind(userCache.toStdString() + "/vesuvius-workbench/", 0) == 0, where.dir.c_str());
    QCOMPARE(found.dir, where.dir);
    QVERIFY2(where.note.find("is not writable (read-only dataset?): the cache lives in " + where.dir) != std::string::npos,
             where.note.c_str());
    DatasetCache cache(where.dir);
    QCOMPARE(cache.preprocess(specs).processed, int64_t(1));
    QCOMPARE(cache.freshCount(specs), int64_t(1));
    QVERIFY(fs::is_regular_file(fs::path(dir) / ".vwb"));  // the dataset is left as it was
  }

  // What the data page shows per volume: missing, fresh, stale (a changed file, another chunk
  // edge) and damaged (an unreadable entry, a truncated chunk file), each redone by preprocess.
  void statusTellsMissingStaleAndDamagedApart() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(4, {16, 16, 16}, specs);
    // Finding the default place creates nothing.
    QCOMPARE(QString::fromStdString(findCache(dir).dir), QString::fromStdString(dir + "/.vwb/cache"));
    QVERIFY(findCache(dir).note.empty());
    QVERIFY(!fs::exists(dir + "/.vwb"));
    DatasetCache cache(dir + "/.vwb/cache");
    QCOMPARE(cache.status(specs[0]).state, CacheVolumeState::Missing);
    QCOMPARE(cache.bytesOnDisk(), int64_t(0));
    cache.preprocess(specs);
    int64_t files = 0, data = 0;
    for (const auto& f : fs::recursive_directory_iterator(dir + "/.vwb/cache"))
      if (f.is_regular_file()) files += int64_t(f.file_size());
    for (const auto& s : specs) {
      CacheVolumeStatus st = cache.status(s);
      QCOMPARE(st.state, CacheVolumeState::Fresh);
      QVERIFY(st.entry && st.entry->decoded);
      data += st.entry->dataBytes;
    }
    QCOMPARE(cache.bytesOnDisk(), files);
    QVERIFY(files > data);  // chunk files and their entries

    fs::last_write_time(specs[1].imagePath, fs::last_write_time(specs[1].imagePath) + std::chrono::seconds(5));
    CacheVolumeStatus changed = cache.status(specs[1]);
    QCOMPARE(changed.state, CacheVolumeState::Stale);
    QVERIFY2(changed.reason.find(specs[1].imagePath) != std::string::npos, changed.reason.c_str());
    QVERIFY(!changed.entry);
    QCOMPARE(cache.status(specs[0], 32).state, CacheVolumeState::Stale);
    { std::ofstream(cache.entryPath("train", specs[2].id)) << "{ not json"; }
    QCOMPARE(cache.status(specs[2]).state, CacheVolumeState::Damaged);
    fs::resize_file(cache.dataPath("train", specs[3].id), 10);
    CacheVolumeStatus truncated = cache.status(specs[3]);
    QCOMPARE(truncated.state, CacheVolumeState::Damaged);
    QVERIFY2(truncated.reason.find("chunk file") != std::string::npos, truncated.reason.c_str());
    QCOMPARE(cache.freshCount(specs), int64_t(1));

    PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.processed, int64_t(3));
    for (const auto& s : specs) QCOMPARE(cache.status(s).state, CacheVolumeState::Fresh);
  }

  void corruptChunkIsNamedWithVolumeAndPosition() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(2, {70, 40, 90}, specs);
    DatasetCache cache(dir + "/cache");
    cache.preprocess(specs);
    std::string path = cache.dataPath("train", "1");
    int64_t target;
    {
      ChunkedVolumeFile f(path, "train volume 1");
      const ChunkRecord& r = f.chunks()[size_t(f.grid().index(1, 0, 1))];
      target = int64_t(r.offset) + r.imageBytes / 2;
    }
    {
      std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
      io.seekg(target);
      char c = 0;
      io.read(&c, 1);
      c = char(c ^ 0x40);
      io.seekp(target);
      io.write(&c, 1);
    }
    auto set = open(cache, specs, 1 << 20);
    std::vector<uint8_t> im(8);
    set->readBox(1, 0, 0, 0, 2, 2, 2, im.data(), nullptr);  // chunk (0, 0, 0) is intact
    try {
      set->readBox(1, 65, 3, 70, 2, 2, 2, im.data(), nullptr);
      QFAIL("a corrupt chunk was decoded");
    } catch (const Error& e) {
      QString m = e.what();
      QVERIFY2(m.contains("train volume 1") && m.contains("image chunk (1, 0, 1)") && m.contains("z 64, y 0, x 64") &&
                   m.contains(QString::fromStdString(path)),
               e.what());
    }
    auto damaged = cache.verify(specs);
    QCOMPARE(damaged.size(), size_t(1));
    QVERIFY2(QString::fromStdString(damaged[0]).contains("chunk (1, 0, 1)"), damaged[0].c_str());
  }

  void corruptStripGivesAVerdictNotAnException() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(2, {12, 32, 32}, specs);
    // Deflate has a checksum: flipped bytes in page 0's strip (right after the 8-byte header).
    VolumeU8 image = randomVolume({12, 32, 32}, 7, false);
    writeVolumeU8(specs[0].imagePath, image, TiffCompression::Deflate);
    {
      std::fstream io(specs[0].imagePath, std::ios::in | std::ios::out | std::ios::binary);
      std::string bytes(60, '\0');
      io.seekg(100);
      io.read(&bytes[0], 60);
      for (auto& c : bytes) c = char(c ^ 0x5a);
      io.seekp(100);
      io.write(bytes.data(), 60);
    }
    DatasetCache cache(dir + "/cache");
    PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.failed, int64_t(1));
    QVERIFY2(QString::fromStdString(r.problems[0]).contains(QString::fromStdString(specs[0].imagePath)) &&
                 QString::fromStdString(r.problems[0]).contains("cannot decode strip"),
             r.problems[0].c_str());
    // The verdict is cached: a second run decodes nothing and still reports it.
    PreprocessReport again = cache.preprocess(specs);
    QCOMPARE(again.processed, int64_t(0));
    QCOMPARE(again.failed, int64_t(1));
    QVERIFY(cache.fresh(specs[1])->decoded);
  }

  // Labels are packed 2 bits per voxel when every value is <= 3, and stored a byte per voxel
  // otherwise (a label the check will reject still round-trips exactly). Rows of 26 voxels
  // (90 = 64 + 26) end mid-byte; chunk extents are not multiples of 4.
  void labelsRoundTripPackedAndUnpacked() {
    const Shape3 s{70, 40, 90};
    const VolumeU8 image = randomVolume(s, 3, false);
    VolumeU8 packable = randomVolume(s, 4, true), wide = randomVolume(s, 5, false);
    packable.data[12345] = 3;  // still two bits
    const std::string dir = tmp_.path().toStdString();
    for (const VolumeU8* label : {&packable, &wide}) {
      const std::string path = dir + (label == &packable ? "/packed.chunks" : "/bytes.chunks");
      const int64_t bytes = writeChunkedVolume(path, image, label, 64);
      QCOMPARE(int64_t(fs::file_size(path)), bytes);
      ChunkedVolumeFile f(path, "train volume x");
      std::vector<uint8_t> got;
      int64_t ones = 0;
      for (int64_t c = 0; c < f.grid().count(); ++c) {
        int64_t cz, cy, cx;
        f.grid().position(c, cz, cy, cx);
        const Shape3 e = f.grid().extent(cz, cy, cx);
        f.readChunk(c, 1, got);
        QCOMPARE(int64_t(got.size()), e.voxels());
        for (int64_t z = 0, i = 0; z < e.d; ++z)
          for (int64_t y = 0; y < e.h; ++y)
            for (int64_t x = 0; x < e.w; ++x, ++i)
              if (got[size_t(i)] != label->at(cz * 64 + z, cy * 64 + y, cx * 64 + x))
                QFAIL(qPrintable(QString("label differs in chunk %1 at %2").arg(c).arg(i)));
        QCOMPARE(int64_t(f.chunks()[size_t(c)].foreground), int64_t(std::count(got.begin(), got.end(), uint8_t(1))));
        ones += f.chunks()[size_t(c)].foreground;
      }
      QCOMPARE(ones, int64_t(std::count(label->data.begin(), label->data.end(), uint8_t(1))));
      for (int64_t i : f.foregroundSample()) QCOMPARE(label->data[size_t(i)], uint8_t(1));
      QVERIFY(!f.foregroundSample().empty());
    }
    // Packed frames are the smaller: 4 voxels a byte before LZ4.
    QVERIFY(fs::file_size(dir + "/packed.chunks") < fs::file_size(dir + "/bytes.chunks"));
  }

  // A cache of an older format is never read again: preprocessing removes it and says how much.
  void olderCacheFormatsAreRemoved() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(1, {20, 24, 28}, specs);
    const fs::path old = fs::path(dir) / "cache" / "v1" / "train";
    fs::create_directories(old);
    std::ofstream(old / "0.chunks") << std::string(5000, 'x');
    std::ofstream(old / "0.json") << "{}";
    DatasetCache cache(dir + "/cache");
    PreprocessReport r = cache.preprocess(specs);
    QCOMPARE(r.oldFormatBytesRemoved, int64_t(5002));
    QVERIFY(!fs::exists(old.parent_path()));
    QCOMPARE(cache.status(specs[0]).state, CacheVolumeState::Fresh);
  }

  void decodedChunkCacheStaysWithinItsBudget() {
    std::vector<CacheVolumeSpec> specs;
    std::vector<VolumeU8> images, labels;
    std::string dir = makeVolumes(40, {32, 32, 32}, specs, &images, &labels);
    DatasetCache cache(dir + "/cache");
    PreprocessOptions small;
    small.edge = 16;  // 4 KiB chunks: 8 per channel and volume
    cache.preprocess(specs, small);
    const int64_t budget = 20 * 4096;  // 20 chunks of 640 in the dataset
    std::vector<std::unique_ptr<ChunkedVolumeFile>> files;
    for (auto& s : specs) files.push_back(std::make_unique<ChunkedVolumeFile>(cache.dataPath("train", s.id), s.id));
    CachedVolumeSet set(std::move(files), budget);
    // Four threads read random boxes over all volumes; every read stays exact.
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(uint64_t(t) + 11);
        std::vector<uint8_t> im(20 * 20 * 20), lab(im.size());
        for (int k = 0; k < 300; ++k) {
          size_t v = rng() % 40;
          int64_t z0 = int64_t(rng() % 13), y0 = int64_t(rng() % 13), x0 = int64_t(rng() % 13);
          set.readBox(v, z0, y0, x0, 20, 20, 20, im.data(), lab.data());
          if (im[0] != images[v].at(z0, y0, x0) || lab[7999] != labels[v].at(z0 + 19, y0 + 19, x0 + 19)) ++wrong;
        }
      });
    for (auto& t : threads) t.join();
    QCOMPARE(wrong.load(), 0);
    QVERIFY(set.cache().misses() > 640);  // the budget forced re-decoding: the bound was exercised
    QVERIFY2(set.cache().peakBytes() <= budget, qPrintable(QString::number(set.cache().peakBytes())));
    QVERIFY(set.cache().bytes() <= budget);
    QVERIFY(set.cache().peakBytes() >= budget - 2 * 4096);  // and used
  }

  // `vwb preprocess` renames a new chunk file over one a training is reading (issue 27): reads
  // continue with the new file's own table (the old offsets would decode garbage or fail as
  // "corrupt"), through the decoded-chunk cache too. Another shape is refused by name.
  void replacedChunkFileIsReadWithItsOwnTable() {
    const Shape3 s{70, 40, 90};
    std::vector<CacheVolumeSpec> specs;
    std::vector<VolumeU8> images;
    std::string dir = makeVolumes(1, s, specs, &images);
    DatasetCache cache(dir + "/cache");
    cache.preprocess(specs);
    const std::string path = cache.dataPath("train", "0");
    ChunkedVolumeFile file(path, "train volume 0");
    std::vector<uint8_t> chunk;
    file.readChunk(3, 0, chunk);
    // Same shape, other content (other compressed sizes, so other offsets), renamed over it.
    const VolumeU8 other = randomVolume(s, 77, false), otherLabel = randomVolume(s, 78, true);
    VolumeU8 flat(s);  // compresses to almost nothing: every offset after chunk 0 moves
    writeChunkedVolume(path, flat, &otherLabel, 64);
    QVERIFY(file.chunks()[1].offset != ChunkedVolumeFile(path, "x").chunks()[1].offset);
    for (int64_t c = 0; c < file.grid().count(); ++c) {
      file.readChunk(c, 0, chunk);
      QVERIFY(std::all_of(chunk.begin(), chunk.end(), [](uint8_t v) { return v == 0; }));
      file.readChunk(c, 1, chunk);
    }
    QCOMPARE(file.reloads(), 1);
    // The same through a CachedVolumeSet opened before the swap.
    cache.rebuild(specs);
    auto set = open(cache, specs, 1 << 20);
    writeChunkedVolume(path, other, &otherLabel, 64);
    std::vector<uint8_t> box(size_t(s.voxels()));
    set->readBox(0, 0, 0, 0, s.d, s.h, s.w, box.data(), nullptr);
    QVERIFY(box == other.data);
    // Another shape: an error that says what happened, not "checksum mismatch".
    writeChunkedVolume(path, randomVolume({20, 20, 20}, 5, false), nullptr, 64);
    try {
      file.readChunk(0, 0, chunk);
      QFAIL("a chunk of another shape's file was read");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("replaced by one of another shape"), e.what());
    }
  }

  // What --verify finds damaged, rebuild() makes whole again from the TIFFs.
  void rebuildMendsWhatVerifyFinds() {
    std::vector<CacheVolumeSpec> specs;
    std::vector<VolumeU8> images;
    std::string dir = makeVolumes(2, {70, 40, 90}, specs, &images);
    DatasetCache cache(dir + "/cache");
    cache.preprocess(specs);
    const std::string path = cache.dataPath("train", "1");
    int64_t target;
    {
      ChunkedVolumeFile f(path, "train volume 1");
      const ChunkRecord& r = f.chunks()[2];
      target = int64_t(r.offset) + r.imageBytes / 2;
    }
    {
      std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
      io.seekp(target);
      io.write("\x55\xaa", 2);
    }
    QVERIFY(cache.fresh(specs[1]));  // same size: the entry still vouches for it
    std::vector<size_t> damaged;
    QCOMPARE(cache.verify(specs, nullptr, nullptr, &damaged).size(), size_t(1));
    QCOMPARE(damaged, std::vector<size_t>{1});
    PreprocessReport r = cache.rebuild({specs[1]});
    QCOMPARE(r.processed, int64_t(1));
    QVERIFY(cache.verify(specs).empty());
    auto set = open(cache, specs, 1 << 20);
    std::vector<uint8_t> box(size_t(images[1].shape.voxels()));
    set->readBox(1, 0, 0, 0, 70, 40, 90, box.data(), nullptr);
    QVERIFY(box == images[1].data);
  }

  // A full disk is the machine's problem, not the volume's (issue 27): no entry records it, and
  // once there is room the next preprocessing does the volume. Needs a small tmpfs, mounted in
  // a private mount namespace of a child process (as root, or through a user namespace).
  void fullDiskIsRetriedNotRecorded() {
    std::vector<CacheVolumeSpec> specs;
    std::string dir = makeVolumes(3, {64, 64, 64}, specs);
    const std::string mnt = dir + "/small";
    fs::create_directories(mnt);
    int channel[2];
    QVERIFY(::pipe(channel) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(channel[0]);
      auto say = [&](const std::string& text, int code) {
        ssize_t ignored = ::write(channel[1], text.data(), text.size());
        (void)ignored;
        ::_exit(code);
      };
      if (!enterPrivateMounts()) say("no private mount namespace here (unshare refused)", 77);
      // 300 KiB: the first volume's chunk file (~270 KiB) may fit, not three.
      if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=300k") != 0) say(std::string("mount: ") + std::strerror(errno), 77);
      DatasetCache cache(mnt + "/cache");
      PreprocessReport full = cache.preprocess(specs, {1, 64});
      if (full.environmentProblems.empty()) say("a full disk was not reported", 1);
      if (full.environmentProblems[0].find("No space left on device") == std::string::npos)
        say("not ENOSPC: " + full.environmentProblems[0], 1);
      if (!full.problems.empty()) say("a full disk became a volume's verdict: " + full.problems[0], 1);
      for (const auto& sp : specs)
        if (auto e = cache.fresh(sp); e && !e->decoded) say("an entry records the full disk: " + e->problem, 1);
      if (::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") != 0) say(std::string("remount: ") + std::strerror(errno), 1);
      PreprocessReport roomy = cache.preprocess(specs, {1, 64});
      if (roomy.failed != 0 || roomy.processed != int64_t(full.environmentProblems.size()))
        say("after the disk grew: " + std::to_string(roomy.processed) + " redone, " + std::to_string(roomy.failed) +
                " failed, expected " + std::to_string(full.environmentProblems.size()) + " redone",
            1);
      if (cache.freshCount(specs) != 3) say("not every volume is fresh after the retry", 1);
      say("ok: " + std::to_string(full.environmentProblems.size()) + " volume(s) hit ENOSPC, all redone", 0);
    }
    ::close(channel[1]);
    std::string message(4096, '\0');
    message.resize(size_t(std::max<ssize_t>(0, ::read(channel[0], &message[0], message.size()))));
    ::close(channel[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    QVERIFY2(WIFEXITED(status), "the child ended by a signal");
    if (WEXITSTATUS(status) == 77) QSKIP(message.c_str());
    QVERIFY2(WEXITSTATUS(status) == 0, message.c_str());
    qInfo("%s", message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDatasetCache)
#include "TestDatasetCache.moc"
