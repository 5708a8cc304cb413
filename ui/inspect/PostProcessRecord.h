#pragma once
// One post-processing setting per run: the Predictions page's evaluate writes the options its
// masks were made with beside them (RUN/predictions/postprocess.json); the Viewer takes the
// run's threshold from it, and the Export page names it and writes it beside submission.zip
// (submission.postprocess.json), so a zip says which threshold and steps its masks carry.
#include <QString>
#include <optional>
#include <string>

#include "engine/infer/PostProcess.h"

namespace vwb::inspect {

QString postProcessRecordPath(const QString& maskDir);
// Temp file + rename; throws vwb::Error naming the file on failure.
void writePostProcessRecord(const QString& path, const PostProcessOptions& options);
std::optional<PostProcessOptions> readPostProcessRecord(const QString& path);
// "threshold 0.30 · border 2 · components ≥ 50 voxels · closing 1 · holes filled"
QString describePostProcess(const PostProcessOptions& options);

}  // namespace vwb::inspect
