#pragma once
// The one way the engine predicts volumes into a folder: every volume through the model,
// probabilities (and, for a prediction folder, post-processed masks) staged beside `out` and
// swapped in at the end in one step (engine/export/PredictionFolder.h: all or nothing, and the
// manifest `vwb export` checks). `vwb predict` is this call with the Prediction layout; the
// workbench's Predictions page is this call with the Probabilities layout (its RUN/predictions/
// prob, through ui::Engine::predictIntoFolder). A failure or a cancel at any volume leaves `out`
// exactly as it was, with no staging folder behind.
#include <functional>
#include <string>
#include <vector>

#include "engine/core/Reporting.h"
#include "engine/core/Volume.h"
#include "engine/export/PredictionFolder.h"
#include "engine/infer/EnsemblePredictor.h"
#include "engine/infer/PostProcess.h"

namespace vwb {

struct FolderPrediction {
  std::vector<std::string> checkpoints;  // recorded in the manifest (Prediction layout)
  std::vector<double> weights;           // one per checkpoint, recorded with it (empty: 1 each)
  std::string images, out;
  std::vector<std::string> ids;          // in this order
  std::vector<std::string> imagePaths;   // per id; empty: `images`/<id>.tif (the manifest records
                                         // their folders: vwb predict --images A B)
  PredictionLayout layout = PredictionLayout::Prediction;
  PostProcessOptions post;               // the masks' (Prediction layout)
  std::string settingsJson = "{}";       // recorded in the manifest, with the post-processing added
  // Called before each volume (index, count, id), e.g. to print "[2/5] 17".
  std::function<void(size_t, size_t, const std::string&)> onVolume;
  // Called with each volume's probability once it is staged (the workbench keeps them in memory;
  // they are the folder's only once predictFolder returns).
  std::function<void(const std::string&, VolumeU8)> onProbability;
  // Called after each volume is written: what it cost (the wall seconds of the whole volume:
  // read, predict, post-process, write; and, through the ensemble's overload below, the
  // predictor's own timing), e.g. for vwb predict's evaluations/s line.
  struct VolumeCost {
    Shape3 shape;
    PredictTiming timing;
    double seconds = 0;
  };
  std::function<void(size_t, size_t, const std::string&, const VolumeCost&)> onVolumeDone;
};

// The network: foreground probability x 255 of one volume; a cancel throws vwb::Cancelled.
using VolumeModel = std::function<VolumeU8(const VolumeU8& image, ProgressSink* progress, const CancelToken* cancel)>;

// Throws vwb::Error (out of range post-processing, an unreadable volume, a failed write, a
// folder holding other files...); `out` is then exactly as it was. Cancelled likewise. Returns
// the number of volumes written.
size_t predictFolder(const VolumeModel& model, const FolderPrediction& request, ProgressSink* progress = nullptr,
                     const CancelToken* cancel = nullptr);
// The same with vwb predict's (ensemble) predictor, whose weights the manifest records.
size_t predictFolder(EnsemblePredictor& predictor, FolderPrediction request, ProgressSink* progress = nullptr,
                     const CancelToken* cancel = nullptr);

}  // namespace vwb
