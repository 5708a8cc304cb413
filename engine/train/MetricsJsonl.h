#pragma once
// The codec of RUN/metrics.jsonl: one JSON object per line, written by the trainer (node 0) and
// read back by the monitor (plots of a finished or reopened run, Recent runs' progress).
//
//   {"type":"format","format":"vwb-metrics/1"}            the first line of a file (RunLog)
//   {"type":"step","step":7,"epoch":1,"time":…,"loss":…,"lr":…,"grad_norm":…,"skipped":false,
//    "micro_batch":2,"samples_per_s":…,"data_wait":…,"comm_wait":…,"step_spread":…,"step_s":…,
//    "memory":[{"device":"cpu","allocated":…,"reserved":…,"peak":…,"free":…,"total":…,"busy":…}]}
//   {"type":"epoch","epoch":1,"step":250,"time":…,"train_loss":…,"epoch_s":…,"best":true,
//    "memory":[…], "val_loss":…,"val_dice":…,"val_dice_ema":…, "preview":"previews/epoch-0001.tif",
//    "preview_volume":"a","preview_z":12}
//
// Files written before the format line existed hold the same records and still load. A line of
// another type, without a type, or not JSON (the half-written last line of a killed run) is
// refused on its own and named; a format line of another format refuses the whole file. Keys
// a record does not know are passed over (a later writer of the same format may add some).
#include <string>
#include <variant>
#include <vector>

#include "engine/train/TrainingEvents.h"

namespace vwb {

inline constexpr const char* kMetricsFormat = "vwb-metrics/1";

using MetricsRecord = std::variant<StepEvent, EpochEvent>;

// {"type":"format","format":"vwb-metrics/1"}
std::string metricsFormatLine();

// The trainer's lines (without the newline), written by RunLog::metric. What a line records
// besides its event:
struct StepLineExtras {
  double time = 0;           // seconds since 1970 (UTC): plots against time, gaps of a resume
  double gradNorm = 0;       // before clipping
  bool skipped = false;      // inf/NaN: no update
  int64_t microBatch = 0;    // per device, smaller after an out-of-memory
  double samplesPerSec = 0;  // this step's own rate (the event carries the moving average)
};
std::string encodeStepLine(const StepEvent& e, const StepLineExtras& x);

struct EpochLineExtras {
  int64_t step = 0;  // optimizer steps done at the epoch's end
  double time = 0;
  std::vector<DeviceMemory> memory;
  std::string preview;  // relative to the run folder (the event holds the full path); "": none
  std::string valKind;  // "full" or "patches" when validated
  double valSeconds = 0;
};
// The validation keys are written when e.valLoss holds a value.
std::string encodeEpochLine(const EpochEvent& e, const EpochLineExtras& x);

enum class MetricsLine {
  Record,       // `out` holds it
  Format,       // this build's format line
  Refused,      // `problem` says why; the next lines are read
  OtherFormat,  // a format line of another format: `problem` says which; the file is not read
};
// One line, without its newline. Step lines (all but one per epoch) take a SAX fast path that
// builds no document (~3x less work per line than parse + find; a 1000-epoch run has 250,000).
MetricsLine parseMetricsLine(const std::string& line, MetricsRecord& out, std::string& problem);

struct MetricsFile {
  std::vector<MetricsRecord> records;
  std::vector<std::string> problems;  // "PATH:LINE: problem" for each refused line
};
// Throws vwb::Error naming the file when it cannot be opened, and naming the line when it is of
// another format.
MetricsFile readMetricsFile(const std::string& path);

}  // namespace vwb
