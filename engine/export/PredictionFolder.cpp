#include "engine/export/PredictionFolder.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/export/SubmissionIds.h"

namespace fs = std::filesystem;

namespace vwb {
namespace {

const std::string kStagingTag = ".partial-";

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool isTif(const fs::path& p) { return p.extension() == ".tif"; }

// Only <id>.tif and prob/<id>.tif (what vwb predict always wrote), or a manifest; with the
// Probabilities layout only <id>.tif.
std::string foreignContent(const fs::path& out, PredictionLayout layout) {
  std::error_code ec;
  const bool probabilities = layout == PredictionLayout::Probabilities;
  if (!probabilities && fs::exists(out / kPredictionManifestName, ec)) return {};
  for (const auto& e : fs::directory_iterator(out, ec)) {
    const fs::path name = e.path().filename();
    if (e.is_regular_file(ec) && isTif(name)) continue;
    if (!probabilities && name == "prob" && e.is_directory(ec)) {
      for (const auto& p : fs::directory_iterator(e.path(), ec))
        if (!(p.is_regular_file(ec) && isTif(p.path().filename()))) return ("prob" / p.path().filename()).string();
      continue;
    }
    return name.string();
  }
  return {};
}

// Staging folders are ".<name>.partial-<pid>-XXXXXX" beside the output: one whose process is
// gone (killed mid-run) is removed.
void removeAbandoned(const fs::path& out) {
  const std::string prefix = "." + out.filename().string() + kStagingTag;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out.parent_path().empty() ? "." : out.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH) fs::remove_all(e.path(), ec);
  }
}

}  // namespace

uint32_t fileCrc32(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwFileError(path, "cannot read", errno);
  uLong crc = crc32(0L, Z_NULL, 0);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      throwFileError(path, "cannot read", e);
    }
    if (n == 0) break;
    crc = crc32(crc, buffer.data(), uInt(n));
  }
  ::close(fd);
  return uint32_t(crc);
}

std::string PredictionManifest::toJson() const {
  nlohmann::json j;
  j["format"] = format;
  j["written_by"] = "vwb predict";
  nlohmann::json cps = nlohmann::json::array();
  for (const auto& c : checkpoints) cps.push_back({{"path", c.path}, {"bytes", c.bytes}, {"weight", c.weight}});
  j["checkpoints"] = cps;
  j["settings"] = settings.empty() ? nlohmann::json::object() : nlohmann::json::parse(settings);
  nlohmann::json vs = nlohmann::json::array();
  for (const auto& v : volumes) vs.push_back({{"id", v.id}, {"mask_crc32", v.maskCrc}, {"prob_crc32", v.probCrc}});
  j["volumes"] = vs;
  return j.dump(2) + "\n";
}

PredictionManifest PredictionManifest::fromJson(const std::string& text, const std::string& path) {
  PredictionManifest m;
  try {
    const auto j = nlohmann::json::parse(text);
    m.format = j.at("format").get<int>();
    if (m.format != 1) throw fileError(path, "prediction manifest format " + std::to_string(m.format) + ", this vwb reads 1");
    for (const auto& c : j.at("checkpoints"))
      m.checkpoints.push_back({c.at("path").get<std::string>(), c.at("bytes").get<int64_t>(), c.value("weight", 1.0)});
    m.settings = j.at("settings").dump();
    for (const auto& v : j.at("volumes"))
      m.volumes.push_back({v.at("id").get<std::string>(), v.at("mask_crc32").get<uint32_t>(), v.at("prob_crc32").get<uint32_t>()});
  } catch (const nlohmann::json::exception& e) {
    throw fileError(path, std::string("not a prediction manifest: ") + e.what());
  }
  return m;
}

StagedPredictionFolder::StagedPredictionFolder(std::string out, PredictionLayout layout)
    : out_(std::move(out)), layout_(layout) {
  const fs::path target = fs::absolute(out_).lexically_normal();
  std::error_code ec;
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) throw fileError(out_, "exists and is not a folder: choose another --out");
    const std::string foreign = foreignContent(target, layout_);
    if (!foreign.empty())
      throw fileError(out_, "holds '" + foreign + "', which is not part of a vwb prediction: choose an empty or new "
                            "--out (a prediction replaces the whole folder)");
  }
  const fs::path parent = target.parent_path();
  fs::create_directories(parent, ec);
  removeAbandoned(target);
  std::string pattern = (parent / ("." + target.filename().string() + kStagingTag + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))
    throwFileError(pattern, "cannot create the staging folder for the predictions", errno);
  staging_ = pattern;
  if (layout_ == PredictionLayout::Probabilities) return;
  fs::create_directory(fs::path(staging_) / "prob", ec);
  if (ec) throw fileError(staging_ + "/prob", "cannot create: " + ec.message());
}

StagedPredictionFolder::~StagedPredictionFolder() {
  if (committed_ || staging_.empty()) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

std::string StagedPredictionFolder::maskPath(const std::string& id) const {
  if (layout_ != PredictionLayout::Prediction) throw Error("a probabilities folder holds no masks");
  return staging_ + "/" + id + ".tif";
}
std::string StagedPredictionFolder::probPath(const std::string& id) const {
  return staging_ + (layout_ == PredictionLayout::Probabilities ? "/" : "/prob/") + id + ".tif";
}

void StagedPredictionFolder::commit() {
  if (layout_ != PredictionLayout::Probabilities) throw Error("a prediction folder commits with its manifest");
  const fs::path target = fs::absolute(out_).lexically_normal();
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    for (const auto& e : fs::directory_iterator(target, ec)) {
      const fs::path staged = fs::path(staging_) / e.path().filename();
      if (!e.is_regular_file(ec) || fs::exists(staged, ec)) continue;
      std::error_code linked;
      fs::create_hard_link(e.path(), staged, linked);
      if (linked) {
        std::error_code copied;
        fs::copy_file(e.path(), staged, copied);
        if (copied) throw fileError(e.path().string(), "cannot carry the earlier probabilities over: " + copied.message());
      }
    }
  }
  swapIn();
}

void StagedPredictionFolder::commit(PredictionManifest manifest) {
  if (layout_ != PredictionLayout::Prediction) throw Error("a probabilities folder has no manifest");
  for (auto& v : manifest.volumes) {
    v.maskCrc = fileCrc32(maskPath(v.id));
    v.probCrc = fileCrc32(probPath(v.id));
  }
  const std::string manifestPath = staging_ + "/" + kPredictionManifestName;
  {
    std::ofstream f(manifestPath, std::ios::binary | std::ios::trunc);
    f << manifest.toJson();
    f.flush();
    if (!f) throw fileError(manifestPath, "cannot write the prediction manifest");
  }
  swapIn();
}

void StagedPredictionFolder::swapIn() {
  const std::string target = fs::absolute(out_).lexically_normal().string();
  std::error_code ec;
  if (fs::exists(target, ec)) {
    // One atomic step: --out is the old prediction, then the new one, never a mix or nothing.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
      throwFileError(out_, "cannot move the new predictions into place", errno);
    committed_ = true;
    fs::remove_all(staging_, ec);  // now the earlier prediction
  } else {
    if (::rename(staging_.c_str(), target.c_str()) != 0)
      throwFileError(out_, "cannot move the new predictions into place", errno);
    committed_ = true;
  }
}

bool updatePredictionMasks(const std::string& dir, const std::string& postprocessJson) {
  const std::string path = (fs::path(dir) / kPredictionManifestName).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return false;
  PredictionManifest m = PredictionManifest::fromJson(readText(path), path);
  for (auto& v : m.volumes) v.maskCrc = fileCrc32((fs::path(dir) / (v.id + ".tif")).string());
  auto settings = nlohmann::json::parse(m.settings.empty() ? "{}" : m.settings);
  settings["postprocess"] = nlohmann::json::parse(postprocessJson);
  m.settings = settings.dump();
  writeFileAtomically(path, m.toJson());
  return true;
}

std::vector<std::string> checkPredictionFolder(const std::string& dir, bool& hasManifest) {
  std::vector<std::string> problems;
  const std::string path = (fs::path(dir) / kPredictionManifestName).string();
  std::error_code ec;
  hasManifest = fs::exists(path, ec);
  if (!hasManifest) return problems;
  const PredictionManifest m = PredictionManifest::fromJson(readText(path), path);
  std::set<std::string> listed;
  for (const auto& v : m.volumes) {
    listed.insert(v.id);
    const std::string mask = (fs::path(dir) / (v.id + ".tif")).string();
    if (!fs::exists(mask, ec)) {
      problems.push_back(mask + ": listed in " + path + " but missing");
      continue;
    }
    if (fileCrc32(mask) != v.maskCrc)
      problems.push_back(mask + ": not the mask the run in " + path + " wrote (its CRC-32 differs): the folder mixes "
                         "predictions of different runs, or a vwb postprocess into it was interrupted; run vwb "
                         "predict (or that vwb postprocess) again");
  }
  for (const std::string& id : listTifIds(dir))
    if (!listed.count(id))
      problems.push_back((fs::path(dir) / (id + ".tif")).string() + ": not written by the run in " + path +
                         " (the folder mixes predictions of different runs; run vwb predict again)");
  return problems;
}

}  // namespace vwb
