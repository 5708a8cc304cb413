// writeSyntheticDataset: synthetic volumes in the competition layout.
#include <filesystem>
#include <set>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/data/SyntheticScrolls.h"
#include "engine/data/detail/RandomFields.h"
#include "engine/io/TiffVolume.h"

namespace fs = std::filesystem;

namespace vwb {

namespace {

void makeFolder(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec || !fs::is_directory(p)) throw fileError(p.string(), "cannot create folder: " + ec.message());
}

// Kaggle-like ids: distinct 9-digit numbers derived from the seed.
std::vector<std::string> makeIds(uint64_t seed, int count, uint64_t salt) {
  std::set<uint64_t> used;
  std::vector<std::string> ids;
  for (uint64_t k = 0; int(ids.size()) < count; ++k) {
    uint64_t id = 100000000 + detail::hashKey(seed ^ salt, k) % 900000000;
    if (used.insert(id).second) ids.push_back(std::to_string(id));
  }
  return ids;
}

}  // namespace

void writeSyntheticDataset(const std::string& dir, const SynthOptions& o, ProgressSink* progress) {
  if (o.train < 0 || o.test < 0 || o.train + o.test == 0)
    throw Error("synthetic dataset: need at least one volume (train " + std::to_string(o.train) + ", test " +
                std::to_string(o.test) + ")");
  if (o.scrolls < 1) throw Error("synthetic dataset: scrolls must be at least 1");
  if (o.size.empty()) throw Error("synthetic dataset: empty volume size " + o.size.str());
  const fs::path root(dir);
  for (const char* sub : {"train_images", "train_labels", "test_images", "test_labels"}) makeFolder(root / sub);

  std::vector<std::string> scrollIds;
  for (int s = 0; s < o.scrolls; ++s)  // distinct five-digit numbers like the real scroll ids
    scrollIds.push_back(std::to_string(20000 + 1000 * s + detail::hashKey(o.seed, 7000 + s) % 1000));
  const auto ids = makeIds(o.seed, o.train + o.test, 0x5eed);
  std::string trainCsv = "id,scroll_id\n", testCsv = "id,scroll_id\n";
  const int total = o.train + o.test;
  for (int i = 0; i < total; ++i) {
    if (progress) progress->progress("writing synthetic volumes", i, total);
    const bool train = i < o.train;
    const std::string& id = ids[size_t(i)];
    const std::string& scroll = scrollIds[size_t(i % o.scrolls)];
    auto v = generateSyntheticVolume(o.size, detail::hashKey(o.seed, uint64_t(i) + 1));
    const fs::path images = root / (train ? "train_images" : "test_images");
    const fs::path labels = root / (train ? "train_labels" : "test_labels");
    writeVolumeU8((images / (id + ".tif")).string(), v.image, TiffCompression::LZW);
    writeVolumeU8((labels / (id + ".tif")).string(), v.label, TiffCompression::LZW);
    (train ? trainCsv : testCsv) += id + "," + scroll + "\n";
  }
  writeFileAtomically((root / "train.csv").string(), trainCsv);
  writeFileAtomically((root / "test.csv").string(), testCsv);
  if (progress) progress->progress("writing synthetic volumes", total, total);
}

}  // namespace vwb
