#pragma once
// Small display helpers shared by the pages: bytes, durations, shapes.
#include <QString>
#include <cstdint>

#include "engine/core/Volume.h"
#include "engine/train/TrainConfig.h"

namespace vwb::ui {

QString formatBytes(int64_t bytes);      // "15.0 GiB", "512 MiB"
QString formatDuration(double seconds);  // "1 h 05 min", "3 min 20 s", "12 s"
QString formatShape(const Shape3& s);    // "320×320×320"
QString formatPercent(double fraction, int decimals = 1);
// Display names; the engine's strategyName() lives in the train module, which the GUI may lack.
QString strategyLabel(StrategyKind k);  // "DDP", "DataParallel", "single device"

}  // namespace vwb::ui
