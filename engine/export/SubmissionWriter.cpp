#include "engine/export/SubmissionWriter.h"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "engine/core/Error.h"
#include "engine/export/OutputTarget.h"
#include "engine/export/SubmissionIds.h"
#include "engine/export/TempFolder.h"
#include "engine/io/TiffVolume.h"

namespace vwb {

namespace fs = std::filesystem;

namespace {

bool isDirectory(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool isFile(const std::string& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// A value other than 0 or 1, or -1 when there is none.
int firstNonBinaryValue(const VolumeU8& v) {
  for (uint8_t x : v.data)
    if (x > 1) return x;
  return -1;
}

// FNV-1a over the voxels: what went into the zip must be what comes back out.
uint64_t checksum(const VolumeU8& v) {
  uint64_t h = 1469598103934665603ull;
  for (uint8_t x : v.data) h = (h ^ x) * 1099511628211ull;
  return h;
}

// Checks one prediction against its test image; appends problems; returns whether usable.
bool checkPrediction(const std::string& id, const std::string& imagePath, const std::string& predPath,
                     SubmissionEntry& entry, std::vector<std::string>& problems) {
  bool ok = true;
  if (!isFile(imagePath)) {
    problems.push_back(imagePath + ": test image for id '" + id + "' not found");
    ok = false;
  } else {
    try {
      entry.expectedShape = probeTiff(imagePath).shape;
    } catch (const Error& e) {
      problems.push_back(e.what());
      ok = false;
    }
  }
  if (!isFile(predPath)) {
    problems.push_back(predPath + ": no prediction for test id '" + id + "'");
    return false;
  }
  try {
    const TiffInfo info = probeTiff(predPath);
    entry.actualShape = info.shape;
    if (info.dtype != DType::U8) {
      problems.push_back(predPath + ": is " + dtypeName(info.dtype) + ", a submission mask must be uint8");
      return false;
    }
    if (ok && info.shape != entry.expectedShape) {
      problems.push_back(predPath + ": is " + info.shape.str() + " (DxHxW), the test image is " +
                         entry.expectedShape.str());
      ok = false;
    }
    const int bad = firstNonBinaryValue(readVolumeU8(predPath));
    if (bad >= 0) {
      problems.push_back(predPath + ": has values other than 0 and 1 (e.g. " + std::to_string(bad) +
                         "); threshold it first (vwb postprocess)");
      ok = false;
    }
  } catch (const Error& e) {
    problems.push_back(e.what());
    ok = false;
  }
  return ok;
}

std::string listProblems(const std::vector<std::string>& problems) {
  std::string text;
  for (const std::string& p : problems) text += "\n  - " + p;
  return text;
}

struct ZipCloser {
  void operator()(zip_t* z) const {
    if (z) zip_discard(z);
  }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

std::string zipErrorText(int code) {
  zip_error_t err;
  zip_error_init_with_code(&err, code);
  std::string text = zip_error_strerror(&err);
  zip_error_fini(&err);
  return text;
}

// Reads every entry back and compares it with what was written.
void verifyZip(const std::string& zipPath, const SubmissionCheck& check,
               const std::vector<uint64_t>& sums, const TempFolder& scratch) {
  int code = 0;
  ZipPtr z(zip_open(zipPath.c_str(), ZIP_CHECKCONS | ZIP_RDONLY, &code));
  if (!z) throw fileError(zipPath, "written but cannot be reopened: " + zipErrorText(code));
  if (zip_get_num_entries(z.get(), 0) != static_cast<zip_int64_t>(check.entries.size()))
    throw fileError(zipPath, "written with the wrong number of entries");
  const std::string probe = scratch.file("verify.tif");
  for (size_t i = 0; i < check.entries.size(); ++i) {
    const std::string name = check.entries[i].id + ".tif";
    zip_stat_t st;
    if (zip_stat(z.get(), name.c_str(), 0, &st) != 0)
      throw fileError(zipPath, "entry " + name + " is missing after writing");
    zip_file_t* f = zip_fopen(z.get(), name.c_str(), 0);
    if (!f) throw fileError(zipPath, "entry " + name + " cannot be opened after writing");
    std::vector<char> bytes(static_cast<size_t>(st.size));
    const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
    zip_fclose(f);
    if (got != static_cast<zip_int64_t>(st.size)) throw fileError(zipPath, "entry " + name + " reads short");
    {
      std::ofstream out(probe, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out.flush()) throw fileError(probe, "cannot be written while verifying the zip");
    }
    const VolumeU8 back = readVolumeU8(probe);
    if (back.shape != check.entries[i].expectedShape || checksum(back) != sums[i])
      throw fileError(zipPath, "entry " + name + " does not read back as written");
  }
}

}  // namespace

SubmissionCheck checkSubmission(const std::string& predDir, const std::string& testImagesDir,
                                const std::string& csvPath) {
  SubmissionCheck check;
  check.predictionDir = predDir;
  check.testImagesDir = testImagesDir;
  check.csvPath = csvPath;
  auto& problems = check.problems;
  if (!isDirectory(predDir)) problems.push_back(predDir + ": prediction folder not found");
  if (!isDirectory(testImagesDir)) problems.push_back(testImagesDir + ": test image folder not found");
  if (!problems.empty()) return check;

  const std::vector<std::string> ids =
      csvPath.empty() ? listTifIds(testImagesDir) : readIdsFromCsv(csvPath, problems);
  if (ids.empty() && problems.empty())
    problems.push_back((csvPath.empty() ? testImagesDir + ": holds no .tif test image"
                                        : csvPath + ": lists no test id"));
  for (const std::string& id : ids) {
    // Never build a path from an id before knowing it names a plain file in the folder.
    const std::string reason = unsafeIdReason(id);
    if (!reason.empty()) {
      problems.push_back((csvPath.empty() ? testImagesDir : csvPath) + ": " + reason);
      continue;
    }
    SubmissionEntry entry;
    entry.id = id;
    entry.predictionPath = (fs::path(predDir) / (id + ".tif")).string();
    checkPrediction(id, (fs::path(testImagesDir) / (id + ".tif")).string(), entry.predictionPath,
                    entry, problems);
    check.entries.push_back(entry);
  }
  return check;
}

int64_t writeSubmission(const SubmissionCheck& check, const std::string& zipPath,
                        ProgressSink* progress, const CancelToken* cancel) {
  if (!check.ok()) throw Error("submission refused:" + listProblems(check.problems));
  if (check.entries.empty()) throw Error("submission refused: no entries");
  for (const SubmissionEntry& e : check.entries)  // entries may not come from checkSubmission
    if (!unsafeIdReason(e.id).empty()) throw Error("submission refused: " + unsafeIdReason(e.id));
  const fs::path target(zipPath);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  std::error_code ec;
  if (target.filename().empty()) throw fileError(zipPath, "names a folder, not a zip file");
  if (!fs::exists(dir, ec)) throw fileError(zipPath, "cannot be written: the folder " + dir + " does not exist");
  if (!isDirectory(dir)) throw fileError(zipPath, "cannot be written: " + dir + " is not a folder");
  std::vector<std::string> inputs;
  for (const SubmissionEntry& e : check.entries) {
    inputs.push_back(e.predictionPath);
    if (!check.testImagesDir.empty())
      inputs.push_back((fs::path(check.testImagesDir) / (e.id + ".tif")).string());
  }
  if (!check.csvPath.empty()) inputs.push_back(check.csvPath);
  std::vector<std::string> folders;
  if (!check.predictionDir.empty()) folders.push_back(check.predictionDir);
  checkOutputFile(zipPath, inputs, folders);

  // Everything is built inside a private folder beside the target (same file system, so the
  // final rename is atomic); the folder goes away whatever happens.
  TempFolder scratch((fs::path(dir) / ("." + target.filename().string() + ".parts-")).string());
  const std::string tmpZip = scratch.file("submission.zip");
  const int64_t n = static_cast<int64_t>(check.entries.size());
  std::vector<uint64_t> sums;
  int code = 0;
  ZipPtr z(zip_open(tmpZip.c_str(), ZIP_CREATE | ZIP_EXCL, &code));
  if (!z) throw fileError(tmpZip, "cannot create the zip: " + zipErrorText(code));
  for (int64_t i = 0; i < n; ++i) {
    if (cancel) cancel->throwIfCancelled();
    const SubmissionEntry& e = check.entries[i];
    if (progress) progress->progress("writing submission", i, n);
    // Re-read and re-check: the file may have changed since the check.
    const VolumeU8 mask = readVolumeU8(e.predictionPath);
    if (mask.shape != e.expectedShape || firstNonBinaryValue(mask) >= 0)
      throw fileError(e.predictionPath, "changed since it was checked");
    sums.push_back(checksum(mask));
    // Uncompressed TIFF inside a deflated zip: any TIFF reader opens it, and it stays small.
    const std::string part = scratch.file(e.id + ".tif");
    writeVolumeU8(part, mask, TiffCompression::None);
    zip_source_t* src = zip_source_file(z.get(), part.c_str(), 0, 0);
    if (!src) throw fileError(part, std::string("cannot be added to the zip: ") + zip_strerror(z.get()));
    const zip_int64_t index = zip_file_add(z.get(), (e.id + ".tif").c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(src);
      throw fileError(tmpZip, std::string("cannot add ") + e.id + ".tif: " + zip_strerror(z.get()));
    }
    zip_set_file_compression(z.get(), static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 6);
  }
  if (progress) progress->progress("compressing submission", 0, 1);
  if (zip_close(z.get()) != 0)
    throw fileError(zipPath, std::string("writing the zip failed: ") + zip_strerror(z.get()));
  z.release();  // closed successfully: nothing to discard
  if (progress) progress->progress("verifying submission", 0, 1);
  verifyZip(tmpZip, check, sums, scratch);
  // Once more right before the rename: something may have been put there meanwhile.
  const std::string reason = unreplaceableReason(zipPath);
  if (!reason.empty()) throw fileError(zipPath, reason + "; refusing to replace it");
  fs::rename(tmpZip, zipPath, ec);
  if (ec) throw fileError(zipPath, "cannot be written: " + ec.message());
  if (progress) progress->progress("writing submission", n, n);
  return static_cast<int64_t>(fs::file_size(zipPath));
}

}  // namespace vwb
