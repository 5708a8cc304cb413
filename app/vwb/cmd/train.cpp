// vwb train: one training run, from the command line.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "CommandRegistry.h"
#include "cmd/DistributedFlags.h"
#include "cmd/TrainConsole.h"
#include "engine/core/Error.h"
#include "engine/export/OutputTarget.h"
#include "engine/train/RunLock.h"
#include "engine/model/ModelPresets.h"
#include "engine/trainer/Trainer.h"

namespace {

struct TrainArgs {
  std::string data, out, configFile, norm, amp, device, cacheDir, arch, optimizer, augment;
  int chunkCacheMb = 0, valMaxVolumes = 0, previewsKept = 0, valPatches = 0, valEvery = 0;
  int epochs = 0, stepsPerEpoch = 0, patch = 0, batch = 0, levels = 0, baseChannels = 0;
  int workers = 0, prefetch = 0, threads = 0, valCrop = 0, gradAccumulation = 0;
  double lr = 0, valFraction = 0, skeletonRecall = 0, ema = 0;
  uint64_t seed = 0;
  bool resume = false, residual = false, deepSupervision = false, allowDataChange = false;
};

void setup(CLI::App& cmd) {
  auto a = std::make_shared<TrainArgs>();
  auto dist = vwb::cli::addDistributedFlags(cmd);  // --strategy --devices --nnodes ... (dist)
  cmd.add_option("--data", a->data, "Dataset folder (train_images/, train_labels/, train.csv)");
  cmd.add_option("--out", a->out, "Run folder (config.json, logs/, metrics.jsonl, checkpoints/)")
      ->required();
  cmd.add_option("--config", a->configFile, "Start from this config JSON (e.g. from vwb plan --json)");
  cmd.add_option("--epochs", a->epochs, "Epochs (with --resume: a larger value extends the run; the cosine schedule restarts over the new total)");
  cmd.add_option("--steps-per-epoch", a->stepsPerEpoch, "Optimizer steps per epoch");
  cmd.add_option("--patch", a->patch, "Cubic patch edge (multiple of 2^(levels-1))");
  cmd.add_option("--batch", a->batch, "Patches per device per micro-batch");
  cmd.add_option("--grad-accumulation", a->gradAccumulation, "Micro-batches per optimizer step");
  cmd.add_option("--levels", a->levels, "U-Net levels");
  cmd.add_option("--base-channels", a->baseChannels, "Channels of the first level (doubling per level)");
  cmd.add_option("--norm", a->norm, "instance|batch|group");
  cmd.add_flag("--residual", a->residual, "Residual conv blocks");
  cmd.add_option("--arch", a->arch,
                 "unet (default) or nnU-Net's residual-encoder U-Net resenc-m|resenc-l|resenc-xl "
                 "(widths 32..320, 1-3-4-6-6-6 blocks, stages follow the patch)");
  cmd.add_flag("--deep-supervision", a->deepSupervision,
               "Losses at every decoder level too (weights 1, 1/2, 1/4 ... normalized)");
  cmd.add_option("--skeleton-recall", a->skeletonRecall,
                 "Weight of the skeleton-recall loss term (0 = off)");
  cmd.add_option("--ema", a->ema, "EMA decay of the weights, e.g. 0.999 (validated, saved as ema.pt)");
  cmd.add_option("--optimizer", a->optimizer,
                 "adamw (warm-up + cosine) or sgd (nnU-Net: Nesterov, momentum 0.99, poly 0.9, "
                 "lr 0.01 and weight decay 3e-5 unless --lr is given)");
  cmd.add_option("--lr", a->lr, "Peak learning rate (AdamW, warm-up then cosine)");
  cmd.add_option("--augment", a->augment,
                 "Augmentation: none | light (flips, 90-degree turns, intensity, noise) | nnunet (nnU-Net's "
                 "default 3D pipeline; the default) | strong (nnunet + elastic, illumination, blank boxes)");
  cmd.add_option("--workers", a->workers, "Batch-producing threads");
  cmd.add_option("--prefetch", a->prefetch, "Ready batches kept in the queue");
  cmd.add_option("--device", a->device, "cpu or cuda:N");
  cmd.add_option("--threads", a->threads, "LibTorch intra-op threads (0 = all cores)");
  cmd.add_option("--amp", a->amp, "Mixed precision: auto|off|fp16|bf16");
  cmd.add_option("--val-fraction", a->valFraction, "Share of volumes held out (0 = no validation)");
  cmd.add_option("--val-crop", a->valCrop, "Validate on a centred crop of this edge (0 = whole volumes)");
  cmd.add_option("--val-patches", a->valPatches,
                 "Validate during training on this many fixed foreground patches (pseudo-Dice; the full sliding "
                 "window runs at the end), 0 = the full sliding window every time, -1 = auto (default: sized so "
                 "validation costs <= 10 % of training)");
  cmd.add_option("--val-every", a->valEvery, "Validate every this many epochs, and after the last (auto may raise it)");
  cmd.add_option("--seed", a->seed, "Seed of weights, split, patches and augmentation");
  cmd.add_option("--cache", a->cacheDir, "Preprocessed chunk cache (default DATA/.vwb/cache; preprocessed first where missing or stale)");
  cmd.add_option("--chunk-cache-mb", a->chunkCacheMb, "Decoded-chunk cache budget in MiB (default RAM/8 within 256..2048)");
  cmd.add_option("--val-max-volumes", a->valMaxVolumes, "Validate on at most this many held-out volumes (0 = all; default 8)");
  cmd.add_option("--previews-kept", a->previewsKept, "Validation previews kept in RUN/previews besides the best's (0 = none; default 50)");
  cmd.add_flag("--resume", a->resume, "Continue the run in --out from checkpoints/last.pt");
  cmd.add_flag("--allow-data-change", a->allowDataChange,
               "With --resume: continue although the data differs from the checkpoint's (a warning says what changed)");
  cmd.callback([a, dist, &cmd] {
    auto given = [&](const char* name) { return cmd.count(name) > 0; };
    vwb::TrainConfig c;
    if (a->resume) c = vwb::loadRunConfig(a->out, vwb::cli::nodeRankOf(*dist, cmd));
    else if (given("--config")) c = vwb::readTrainConfigFile(a->configFile);
    if (given("--data")) c.run.dataDir = std::filesystem::absolute(a->data).string();
    if (c.run.dataDir.empty()) throw vwb::Error("--data is required");
    c.run.dir = std::filesystem::absolute(a->out).string();
    c.run.resume = a->resume;
    c.run.allowDataChange = a->allowDataChange;
    if (given("--epochs")) c.run.epochs = a->epochs;
    if (given("--steps-per-epoch")) c.run.stepsPerEpoch = a->stepsPerEpoch;
    if (given("--patch")) c.data.patch = a->patch;
    if (given("--batch")) c.data.batchPerDevice = a->batch;
    if (given("--grad-accumulation")) c.optimizer.gradAccumulation = a->gradAccumulation;
    if (given("--levels")) c.model.levels = a->levels;
    if (given("--base-channels")) c.model.baseChannels = a->baseChannels;
    if (given("--norm")) c.model.norm = vwb::parseNorm(a->norm);
    if (given("--residual")) c.model.residual = true;
    if (given("--arch")) c.model.arch = vwb::parseArch(a->arch);
    if (given("--deep-supervision")) c.model.deepSupervision = true;
    if (given("--skeleton-recall")) c.optimizer.skeletonRecallWeight = a->skeletonRecall;
    if (given("--ema")) c.optimizer.emaDecay = a->ema;
    if (given("--optimizer")) {
      c.optimizer.kind = vwb::parseOptimizer(a->optimizer);
      if (c.optimizer.kind == vwb::OptimizerKind::Sgd && !given("--lr") && !a->resume) {
        c.optimizer.lr = 0.01;  // nnU-Net's SGD settings
        c.optimizer.weightDecay = 3e-5;
      }
    }
    if (given("--lr")) c.optimizer.lr = a->lr;
    if (given("--augment")) c.data.augment = vwb::parseAugmentPreset(a->augment);
    if (given("--workers")) c.data.workers = a->workers;
    if (given("--prefetch")) c.data.prefetch = a->prefetch;
    if (given("--device")) c.distributed.devices = {a->device};
    if (given("--threads")) c.run.threads = a->threads;
    if (given("--amp")) c.run.amp = vwb::parseAmp(a->amp);
    if (given("--val-fraction")) c.validation.fraction = a->valFraction;
    if (given("--val-crop")) c.validation.crop = a->valCrop;
    if (given("--val-patches")) c.validation.patches = a->valPatches;
    if (given("--val-every")) c.validation.every = a->valEvery;
    if (given("--seed")) c.run.seed = a->seed;
    if (given("--cache")) c.data.cacheDir = std::filesystem::absolute(a->cacheDir).string();
    if (given("--chunk-cache-mb")) c.data.chunkCacheMb = a->chunkCacheMb;
    if (given("--val-max-volumes")) c.validation.maxVolumes = a->valMaxVolumes;
    if (given("--previews-kept")) c.validation.previewsKept = a->previewsKept;
    // ResEnc presets fix widths and norm and take as many stages as the patch allows.
    if (!a->resume) c.model = vwb::modelForPatch(c.model, c.data.patch);
    vwb::cli::TrainConsole console;
    vwb::cli::applyDistributedFlags(*dist, cmd, c, &console);
    vwb::checkOutputFolder(c.run.dir, {{"dataset folder (--data)", c.run.dataDir, true}});
    // Refused before the dataset is read; the engine takes the lock itself (RunLock) for the run.
    if (auto owner = vwb::runLockOwner(c.run.dir, c.distributed.nodeRank))
      throw vwb::fileError(c.run.dir, "in use by another training (" + owner->text() +
                                         "); wait for it to end or stop it, or choose another --out");
    // A file-size limit (ulimit -f) then fails a checkpoint write cleanly (the previous one stays,
    // the temporary file is removed) instead of killing vwb by SIGXFSZ.
    std::signal(SIGXFSZ, SIG_IGN);

    vwb::CancelToken cancel;
    vwb::cli::InterruptToCancel interrupt(cancel);
    vwb::ConsoleSink progress;
    // Dataset errors stop here, with the scanner's report, before anything is trained; volumes
    // missing from the chunk cache are preprocessed first.
    auto source = vwb::openTrainingSource(c, console, &progress, &cancel);
    auto end = vwb::runTraining(c, *source, console, cancel);
    if (end.outcome == vwb::RunOutcome::Stopped) 
      throw vwb::cli::ExitCode{vwb::cli::InterruptToCancel::exitCode()};
  });
}

}  // namespace

VWB_COMMAND(train, 40, "Train a 3D U-Net on one device, several (DDP/DP) or several machines (Ctrl-C stops after a checkpoint)", setup);
