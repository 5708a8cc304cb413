#pragma once
// vwb kaggle-kit: a folder to upload as a Kaggle dataset that predicts the competition's hidden
// test volumes inside an offline notebook with this engine, as `vwb predict` + `postprocess` +
// `export` do here: the model(s), kit.json (format vwb-kaggle-kit/1: inference settings, the
// run's post-processing record in the engine's own format, the time estimate), the engine
// sources libvwbkit.so is built from against the notebook's own PyTorch (engine/kit/KitCApi.h,
// resources/kaggle-kit/), vwbkit.py (the file I/O and the time keeping) and a generated notebook.
// Written all or nothing: a staging folder beside the kit, swapped in at the end.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/infer/PostProcess.h"

namespace vwb {

inline constexpr char kKaggleKitFormat[] = "vwb-kaggle-kit/1";
inline constexpr char kKaggleKitNotebook[] = "vesuvius-kit.ipynb";
// Training in a notebook with the same kit (vwbkit_train): the settings and the notebook.
inline constexpr char kKaggleKitTrainNotebook[] = "vesuvius-train.ipynb";
inline constexpr char kKaggleKitTrainConfig[] = "train.json";
// The run folder the training notebook keeps in /kaggle/working (and finds again among the
// inputs of its next version).
inline constexpr char kKaggleKitRunFolder[] = "vwb-run";

// The hidden test set's size is not published. 120 volumes of 320^3: the planning figure,
// about 15% of the 786 training volumes (a usual hold-out share); a higher count only costs TTA.
inline constexpr int kDefaultHiddenVolumes = 120;

struct KaggleKitRequest {
  std::string runDir;
  std::vector<std::string> checkpoints;  // empty: RUN/checkpoints/best.pt
  std::vector<double> weights;           // empty: equal
  std::string preset;                    // empty: the run's own post-processing record
  std::optional<std::string> tta, ttaAverage;  // none|flips|full; probability|logit
  std::optional<double> overlap;
  int hiddenVolumes = kDefaultHiddenVolumes;
  std::string trainConfig;  // settings for training in a notebook (RUN/config.json's format); empty: the run's
  std::string out;
  std::string sourceRoot;  // the repository the engine sources are copied from; empty: the one
                           // vwb was built from ($VWB_SOURCE_DIR overrides)
};

// A notebook GPU setup: how many GPUs share the tiles and what each does in fp32 (assumed).
struct KitHardware {
  std::string name;
  int gpus = 1;
  double peakTflops = 0;     // fp32, the vendor's figure
  double efficiency = 0.25;  // share of peak cuDNN's fp32 3D convolutions reach (assumed, see kaggleNotebookHardware)
};
std::vector<KitHardware> kaggleNotebookHardware();  // 2xT4, P100

struct KitTimeEstimate {
  KitHardware hardware;
  int volumes = 0;
  int64_t volumeEdge = 320;
  double flopsPerVolume = 0;          // every model, every window, every TTA transform
  double gpuSecondsPerVolume = 0;
  double hostSecondsPerVolume = 30;   // read, blend, post-process, compress (assumed; measured live)
  double buildSeconds = 600;          // libvwbkit.so in the scoring run (assumed: ~10 min, 4 vCPUs)
  double budgetSeconds = 9 * 3600.0;
  double totalSeconds() const { return buildSeconds + volumes * (gpuSecondsPerVolume + hostSecondsPerVolume); }
  bool fits() const { return totalSeconds() <= 0.9 * budgetSeconds; }  // 10% kept for Kaggle's own variance
  std::string text() const;  // one line: "2xT4: 120 volumes x (41 s GPU + 30 s host) + build 10 min = 2.5 h of 9 h"
};

struct KaggleKitPlan {
  struct Model {
    std::string source;  // the checkpoint given
    double weight = 1;   // normalized
    std::string arch;
    int64_t patch = 0, parameters = 0;
    double forwardFlops = 0;  // one patch
  };
  std::vector<Model> models;
  std::string tta = "none", ttaAverage = "probability";
  double overlap = 0.5;
  PostProcessOptions post;
  std::string postSource;  // which file the post-processing came from, or "defaults"
  std::string settingsSource;  // where TTA and overlap came from
  std::vector<KitTimeEstimate> estimates;
  std::vector<std::string> warnings;  // e.g. an estimate over the budget
  // The training notebook's settings (TrainConfig's JSON, through its codec): from --train-config,
  // else the run's config.json, with what belongs to one machine and one dataset reset (folders,
  // devices, nodes; validation patches back to auto, sized on the notebook's data).
  std::string trainConfigJson;
  std::string trainConfigSource;
};

// Reads and checks everything the kit needs (run, checkpoints, weights, post-processing record,
// the run's last prediction settings); writes nothing. Throws vwb::Error naming the file.
KaggleKitPlan planKaggleKit(const KaggleKitRequest& request);

// Writes the kit. Refuses an `out` that exists and is neither an empty folder nor a kit (its
// kit.json's format). Returns the kit's size in bytes.
int64_t writeKaggleKit(const KaggleKitRequest& request, const KaggleKitPlan& plan);

// The engine sources (relative paths) the kit compiles: engine/kit/kit-sources.txt and every
// engine header they include. Throws vwb::Error naming a missing file.
std::vector<std::string> kaggleKitSources(const std::string& sourceRoot);
// The .cpp files of kit-sources.txt: the prediction build's (training false), or those only the
// training build adds (lines `train engine/...`).
std::vector<std::string> kaggleKitSourceList(const std::string& sourceRoot, bool training);

}  // namespace vwb
