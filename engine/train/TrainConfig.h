#pragma once
// Every training setting, resolved. Written as RUN/config.json; the planner fills one in,
// the CLI and the wizard edit it.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/ModelConfig.h"
#include "engine/model/Precision.h"  // AmpMode
#include "engine/train/Augment.h"

namespace vwb {

enum class StrategyKind { Auto, Single, DataParallel, Ddp };
enum class OptimizerKind { AdamW, Sgd };  // AdamW + warm-up/cosine, or SGD-Nesterov + poly

// The run: where it reads and writes, how long it trains, how it computes. Its folder's layout
// is engine/run/RunFolder.h.
struct RunSettings {
  std::string dataDir;
  std::string dir;        // the run folder
  int epochs = 10;
  int stepsPerEpoch = 100;
  uint64_t seed = 1;
  int threads = 0;        // LibTorch intra-op threads (0 = all cores)
  AmpMode amp = AmpMode::Auto;  // engine/model/Precision.h
  bool resume = false;
  // --allow-data-change: a --resume continues although the data differs from what the run's
  // checkpoint recorded (a warning in the log says what changed). Not written to config.json.
  bool allowDataChange = false;
};

// What each step optimizes and how the weights are updated.
struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::AdamW;
  double lr = 1e-3;
  double weightDecay = 1e-4;
  double warmupFraction = 0.05;
  double gradClip = 1.0;
  int gradAccumulation = 1;
  double skeletonRecallWeight = 0;  // 0 = off; else loss += w * (1 - soft skeleton recall)
  double emaDecay = 0;              // 0 = off; else EMA of the weights (checkpoints/ema.pt)
};

// What a step sees and how it is produced: patches, batches, augmentation, the loaders and the
// preprocessed chunk cache they read.
struct DataSettings {
  int patch = 64;                    // cubic patch edge
  int batchPerDevice = 2;            // micro-batch per device
  double foregroundFraction = 0.33;  // share of patches centred on label-1 voxels
  // none | light | nnunet | strong (engine/train/Augment.h). The default is nnU-Net's pipeline: it
  // held up better on another acquisition style in both generalisation benchmarks
  // (engine/train/README.md). Configs without it read as light, the recipe they were trained with.
  AugmentPreset augment = AugmentPreset::NnUnet;
  int workers = 2;   // batch-producing threads
  int prefetch = 4;  // bounded queue of ready batches
  // The preprocessed chunk cache (engine/store): its folder ("" = <data>/.vwb/cache, or the user
  // cache when the dataset is read-only) and the decoded-chunk budget in MiB (0 = from RAM).
  std::string cacheDir;
  int chunkCacheMb = 0;
  int64_t memoryCapBytes = 0;  // unused since training reads the chunk cache (kept for old configs)
};

// The held-out volumes and how often and how thoroughly they are scored.
struct ValidationSettings {
  double fraction = 0.2;  // 0 = train on everything, no validation
  int crop = 0;           // 0 = whole volumes, else a fixed centred crop of this edge
  // Validation during training (engine/train/ValidationPlan.h): -1 = auto (sized at the run's
  // start so validation costs <= 10 % of training, the resolved values written back here); 0 = the
  // full sliding window over the held-out volumes; N = a fixed set of N foreground patches
  // (pseudo-Dice), with the full sliding window at the end of the run. Configs without it (runs
  // started before it existed) read as 0, the validation they had.
  int patches = -1;
  int every = 1;         // validate every this many epochs (and after the last one)
  int maxVolumes = 8;    // validation reads at most this many held-out volumes (0 = all)
  int previewsKept = 50; // validation previews kept in RUN/previews, besides the best's (0 = none)
};

// Devices, strategy, and the nodes of a multi-node run (torchrun contract).
struct DistributedSettings {
  StrategyKind strategy = StrategyKind::Auto;
  std::vector<std::string> devices{"cpu"};  // "cpu", "cpu:N" (N CPU ranks), "cuda:0", ...
  int nnodes = 1;         // 1 = everything is local
  int nodeRank = 0;
  std::string master;     // host:port of the rendezvous store (node 0 listens there)
  std::string bind;       // address node 0's store listens on instead of the master host
  // --rendezvous-secret-file (engine/distributed/RendezvousAuth.h: where the secret comes from).
  // Not written to config.json: a resumed node names it again (or uses the environment).
  std::string rendezvousSecretFile;
  int timeoutSec = 60;    // a failing rank aborts every rank within this
  double bucketMb = 25;   // DDP gradient bucket cap (PyTorch's bucket_cap_mb): smaller buckets
                          // start all-reducing earlier in backward, at more calls per step
};

// Every training setting, as small parts that each consumer can take on its own. config.json
// keeps its flat keys (the codec below maps them), so files of every earlier build still load.
struct TrainConfig {
  RunSettings run;
  ModelConfig model;  // engine/model/ModelConfig.h
  OptimizerSettings optimizer;
  DataSettings data;
  ValidationSettings validation;
  DistributedSettings distributed;

  // The codec of config.json (and of --config files, checkpoints' "config"): pretty-printed,
  // every field, tagged {"format": "vwb-config/1"}. fromJson: missing fields keep defaults; an
  // untagged config (older builds) loads; another format or a bad value throws vwb::Error.
  std::string toJson() const;
  static TrainConfig fromJson(const std::string& json);
};

inline constexpr const char* kConfigFormat = "vwb-config/1";

// TrainConfig::fromJson of a file; every error names the file.
TrainConfig readTrainConfigFile(const std::string& path);

// The range of every numeric training setting, for config files (checked on the JSON number
// before any conversion, so 1e13 is refused, not truncated) and for flags and the wizard (checked
// on the resolved config). Empty when all are in range; else the first one out of range, named
// by its flag and its config key, with the range.
std::string trainConfigRangeProblem(const TrainConfig& config);

// The names config files and flags use (the model's: engine/model/ModelConfig.h; amp's:
// engine/model/Precision.h); parse* throw
// vwb::Error naming the choices. Defined in TrainConfig.cpp.
const char* strategyName(StrategyKind s);
const char* optimizerName(OptimizerKind o);
StrategyKind parseStrategy(const std::string& s);
OptimizerKind parseOptimizer(const std::string& s);

}  // namespace vwb
