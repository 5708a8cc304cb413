#pragma once
// The one way the engine predicts a folder of volumes into a prediction folder: every <id>.tif of
// `images` through the (ensemble) predictor, probabilities and post-processed masks staged and
// swapped into `out` at the end with their manifest (engine/export/PredictionFolder.h: all or
// nothing, and what `vwb export` checks). `vwb predict` is this call; front ends that predict
// into a folder should be too.
#include <functional>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/PostProcess.h"

namespace vwb {

struct FolderPrediction {
  std::vector<std::string> checkpoints;  // as given to the predictor (recorded in the manifest)
  std::string images, out;
  std::vector<std::string> ids;          // <id>.tif in `images`, in this order
  PostProcessOptions post;
  std::string settingsJson = "{}";       // recorded in the manifest, with the post-processing added
  // Called before each volume (index, count, id), e.g. to print "[2/5] 17".
  std::function<void(size_t, size_t, const std::string&)> onVolume;
  // Called after each volume is written: what it cost (the predictor's timing, and the wall
  // seconds of the whole volume: read, predict, post-process, write), e.g. for a tiles/s line.
  struct VolumeCost {
    Shape3 shape;
    PredictTiming timing;
    double seconds = 0;
  };
  std::function<void(size_t, size_t, const std::string&, const VolumeCost&)> onVolumeDone;
};

// Throws vwb::Error (out of range post-processing, an unreadable volume, a failed write...);
// `out` is then exactly as it was. Cancelled likewise. Returns the number of volumes written.
size_t predictFolder(EnsemblePredictor& predictor, const FolderPrediction& request, ProgressSink* progress = nullptr,
                     const CancelToken* cancel = nullptr);

}  // namespace vwb
