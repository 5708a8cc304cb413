#pragma once
// submission.zip: every test id exactly once as <id>.tif, uint8 0/1, the test image's shape.
// Checked before writing; written to a temporary file, re-read, then renamed. Any mismatch is
// refused with the list of every problem.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"

namespace vwb {

struct SubmissionEntry {
  std::string id;
  std::string predictionPath;
  Shape3 expectedShape, actualShape;
};

struct SubmissionCheck {
  std::string predictionDir, testImagesDir, csvPath;  // the inputs (no output may replace them)
  std::vector<SubmissionEntry> entries;
  std::vector<std::string> problems;  // every problem, not only the first
  bool ok() const { return problems.empty(); }
};

// predDir holds <id>.tif masks; testImagesDir the test images; csvPath (optional) lists the ids.
SubmissionCheck checkSubmission(const std::string& predDir, const std::string& testImagesDir,
                                const std::string& csvPath = "");

// Throws vwb::Error listing the problems if the check fails, and refuses a zipPath that is not a
// new or regular file, is one of the inputs or lies inside the prediction folder (OutputTarget.h);
// returns the zip's size in bytes.
int64_t writeSubmission(const SubmissionCheck& check, const std::string& zipPath,
                        ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

}  // namespace vwb
