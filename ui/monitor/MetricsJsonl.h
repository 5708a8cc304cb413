#pragma once
// Reads RUN/metrics.jsonl (one JSON object per line, written by the trainer) back into training
// events so the monitor can rebuild a run's plots. A record's kind comes from its "type" (or
// "event"/"kind") field: "run_start"/"start", "step", "epoch", "run_end"/"end"; field names are
// accepted in snake_case and camelCase. A malformed line (e.g. the half-written last line of a
// killed run) is skipped and reported, never fatal.
#include <QString>
#include <QStringList>
#include <variant>
#include <vector>

#include "engine/train/TrainingEvents.h"

namespace vwb::ui {

using MetricsRecord = std::variant<RunStartEvent, StepEvent, EpochEvent, RunEndEvent>;

struct MetricsFile {
  std::vector<MetricsRecord> records;
  QStringList problems;  // "metrics.jsonl:12: ..." per skipped line
};

// Throws vwb::Error when the file cannot be opened.
MetricsFile readMetricsJsonl(const QString& path);
// One line; returns false (and sets problem) when it is not a record we understand.
bool parseMetricsLine(const std::string& line, MetricsRecord& out, std::string& problem);

}  // namespace vwb::ui
