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
// The engine's record (engine/infer/PostProcessRecord.h, vwb-postprocess/1: the preset `vwb tune`
// writes and `vwb postprocess --preset` reads). Atomic; throws vwb::Error naming the file on failure.
void writePostProcessRecord(const QString& path, const PostProcessOptions& options);
// None when the file is absent, or (with a warning naming the file) when it cannot be read.
std::optional<PostProcessOptions> readPostProcessRecord(const QString& path);
// The steps in pipeline order: "threshold 0.30 · 1-voxel holes plugged · closing 1 · sheet
// closing 2 · holes filled · border 2 · components ≥ 50 voxels"
QString describePostProcess(const PostProcessOptions& options);
// Every option equal (the threshold exactly: both come from the same spin box or record).
bool samePostProcess(const PostProcessOptions& a, const PostProcessOptions& b);

}  // namespace vwb::inspect
