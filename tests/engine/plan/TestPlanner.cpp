// The planner as a pure function over synthetic inventories: 0/1/2/8 GPUs, small/large memory,
// forced strategies, several nodes, patch bounds; and the memory estimate and --assume-gpus.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

#include "engine/core/CpuFeatures.h"
#include "engine/core/Error.h"
#include "engine/model/ModelPresets.h"
#include "engine/plan/AutoConfig.h"
#include "engine/plan/MemoryEstimate.h"
#include "engine/plan/PlanExplainer.h"
#include "engine/plan/Planner.h"

using namespace vwb;

namespace {

constexpr int64_t GiB = int64_t(1) << 30;

HardwareInventory cpuOnly(int cores, int64_t ram = 24 * GiB) {
  HardwareInventory h;
  h.cpuCores = cores;
  h.ramBytes = ram;
  return h;
}

HardwareInventory withGpus(int n, double gib, int major, int minor, int cores = 16) {
  HardwareInventory h = cpuOnly(cores, 128 * GiB);
  for (int i = 0; i < n; ++i) {
    GpuInfo g;
    g.index = i;
    g.name = "Test GPU";
    g.totalBytes = g.freeBytes = int64_t(gib * double(GiB));
    g.computeMajor = major;
    g.computeMinor = minor;
    g.peerAccessToAll = n > 1;
    h.gpus.push_back(g);
  }
  return h;
}

DatasetFingerprint volumes(int64_t edge, int count = 4) {
  DatasetFingerprint f;
  f.trainVolumes = count;
  f.minShape = f.maxShape = Shape3{edge, 320, 320};
  f.shapes = {f.minShape};
  f.totalTrainVoxels = f.minShape.voxels() * count;
  return f;
}

bool anyContains(const std::vector<std::string>& lines, const char* text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

// Every path step has all three parts, and the chosen batch fits the first device's budget.
void checkWellFormed(const Plan& p) {
  QVERIFY(p.path.size() >= 6);
  for (const auto& s : p.path) {
    QVERIFY2(!s.question.empty() && !s.answer.empty() && !s.reason.empty(), s.question.c_str());
  }
  QVERIFY(!p.options.empty());
  QVERIFY(p.options.front().recommended);
  QCOMPARE(p.options.front().kind, p.config.distributed.strategy);
  QVERIFY(p.reasons.size() >= 4);
}

}  // namespace

class TestPlanner : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fullReleaseBudgetsTheChunkCacheNotDecodedVolumes() {
    // 786 volumes of 320^3 (46.6 GiB decoded) on 16 GiB of RAM: the plan trains at the normal
    // CPU patch, RAM holds the chunk cache (RAM / 8), the disk and first-preprocessing figures
    // are given, and nothing says "decoded".
    DatasetFingerprint release = volumes(320, 786);
    Plan p = makePlan(cpuOnly(2, 16 * GiB), release, {});
    checkWellFormed(p);
    QCOMPARE(p.config.data.patch, 64);
    QCOMPARE(p.config.data.chunkCacheMb, 2048);
    QVERIFY(p.config.data.batchPerDevice >= 2);
    QVERIFY(!anyContains(p.reasons, "decoded volumes"));
    QVERIFY(anyContains(p.reasons, "chunk cache"));
    QVERIFY(p.warnings.empty());
    // ~1.02 bytes per voxel on disk: between the image alone and image + label.
    QVERIFY(p.cacheDiskBytes > release.totalTrainVoxels && p.cacheDiskBytes < 2 * release.totalTrainVoxels);
    QVERIFY(p.preprocessSeconds > 0);
    // Already preprocessed: no time left to spend.
    UserConstraints cached;
    cached.cachedFraction = 1.0;
    QCOMPARE(makePlan(cpuOnly(2, 16 * GiB), release, cached).preprocessSeconds, 0.0);
  }

  void shortDiskOrRamIsWarnedAlsoForAssumedHardware() {
    DatasetFingerprint release = volumes(320, 786);
    UserConstraints disk;
    disk.diskFreeBytes = 5 * GiB;
    Plan p = makePlan(cpuOnly(4), release, disk);
    QVERIFY(anyContains(p.warnings, "more disk"));
    HardwareInventory t4 = assumeGpus("2xT4", cpuOnly(4, 29 * GiB));
    Plan fine = makePlan(t4, release, {});
    QVERIFY(!anyContains(fine.warnings, "RAM"));
    QCOMPARE(fine.config.data.chunkCacheMb, 2048);
    HardwareInventory small = assumeGpus("2xT4", cpuOnly(4, GiB));
    Plan shortRam = makePlan(small, release, {});
    QVERIFY(anyContains(shortRam.warnings, "of RAM (assumed) is short"));
    QCOMPARE(shortRam.config.data.chunkCacheMb, 256);
  }

  void memoryEstimateMatchesLayout() {
    ModelConfig m;
    m.levels = 1;
    m.baseChannels = 2;
    // conv 1->2 (54 + 2 bias + 4 norm), conv 2->2 (108 + 2 + 4), head 2 + 1.
    QCOMPARE(estimateParameters(m), int64_t(60 + 114 + 3));
    ModelConfig def;
    int64_t b1 = estimateActivationBytes(def, 64, 1, 4);
    QCOMPARE(estimateActivationBytes(def, 64, 3, 4), 3 * b1);
    int64_t half = estimateActivationBytes(def, 64, 1, 2);  // fp16 activations, int64 pool indices
    QVERIFY(half < b1 * 6 / 10 && half > b1 * 4 / 10);
    double ratio = double(estimateActivationBytes(def, 128, 1, 4)) / double(b1);
    QVERIFY(ratio > 7.9 && ratio < 8.1);
    // The default 4-level, 16-channel net at 64^3 needs hundreds of MiB per sample, not GiBs.
    QVERIFY(b1 > 100 * (int64_t(1) << 20) && b1 < 2 * GiB);
  }

  // ResEnc presets: stages follow the planned patch, and M / L / XL are sized for 8 / 24 / 40 GB
  // however large the GPU is (nnU-Net's targets), so XL gets at least M's patch and batch.
  void resEncPresetsArePlannedForTheirMemoryTargets() {
    UserConstraints uc;
    uc.model.arch = ArchKind::ResEncM;
    Plan cpu = makePlan(cpuOnly(2), volumes(320), uc);
    checkWellFormed(cpu);
    QCOMPARE(cpu.config.data.patch, 64);
    QCOMPARE(cpu.config.model.levels, 5);  // 64 32 16 8 4
    QCOMPARE(cpu.config.model.baseChannels, 32);
    Plan m = makePlan(withGpus(1, 80, 8, 0), volumes(320), uc);
    checkWellFormed(m);
    QVERIFY(m.budgets[0].estimatedBytes <= 8'000'000'000ll + 700ll * 1024 * 1024);  // + CUDA context
    uc.model.arch = ArchKind::ResEncXL;
    Plan xl = makePlan(withGpus(1, 80, 8, 0), volumes(320), uc);
    checkWellFormed(xl);
    QVERIFY(xl.budgets[0].estimatedBytes > m.budgets[0].estimatedBytes);
    QVERIFY(xl.config.data.patch >= m.config.data.patch);
    QCOMPARE(xl.config.model.levels, resEncStagesForPatch(xl.config.data.patch));
  }

  void assumeGpusParsesSpecs() {
    HardwareInventory host = cpuOnly(4);
    auto a = assumeGpus("2x16GB", host);
    QCOMPARE(int(a.gpus.size()), 2);
    QCOMPARE(a.gpus[1].totalBytes, 16 * GiB);
    QCOMPARE(a.gpus[0].computeMajor, 7);
    QVERIFY(a.assumed);
    QCOMPARE(a.cpuCores, 4);
    auto b = assumeGpus("8x80GB:sm80", host);
    QCOMPARE(int(b.gpus.size()), 8);
    QCOMPARE(b.gpus[7].computeMajor, 8);
    QCOMPARE(b.gpus[7].computeMinor, 0);
    auto t4 = assumeGpus("2xT4", host);
    QCOMPARE(t4.gpus[0].computeMinor, 5);
    QVERIFY(t4.gpus[0].totalBytes < 16 * GiB);
    QVERIFY(assumeGpus("0", host).gpus.empty());
    QVERIFY_THROWS_EXCEPTION(Error, assumeGpus("two GPUs", host));
    QVERIFY_THROWS_EXCEPTION(Error, assumeGpus("2xZ80", host));
    QVERIFY_THROWS_EXCEPTION(Error, assumeGpus("2x0GB", host));
  }

  void zeroGpusFewCoresIsSingleCpu() {
    Plan p = makePlan(cpuOnly(2), volumes(320), {});
    checkWellFormed(p);
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Single);
    QCOMPARE(p.config.distributed.devices, std::vector<std::string>{"cpu"});
    QCOMPARE(p.config.run.amp, AmpMode::Off);
    QCOMPARE(p.config.data.patch, 64);
    QCOMPARE(p.config.data.batchPerDevice, 2);
    QCOMPARE(p.config.run.threads, 2);
    QCOMPARE(p.config.data.workers, 1);
    QCOMPARE(p.globalBatch, int64_t(2));
    QVERIFY(anyContains(p.reasons, "one process with all 2 intra-op threads"));
    // The alternatives on a CPU: DDP and DataParallel over CPU ranks (each makes the ranks when chosen).
    std::vector<StrategyKind> kinds;
    for (const auto& o : p.options) kinds.push_back(o.kind);
    QCOMPARE(kinds, (std::vector<StrategyKind>{StrategyKind::Single, StrategyKind::Ddp, StrategyKind::DataParallel}));
    UserConstraints dp;
    dp.strategy = StrategyKind::DataParallel;
    const Plan forced = makePlan(cpuOnly(2), volumes(320), dp);
    QCOMPARE(forced.config.distributed.strategy, StrategyKind::DataParallel);
    QCOMPARE(forced.config.distributed.devices, std::vector<std::string>{"cpu:2"});
  }

  void zeroGpusManyCoresUsesCpuRanks() {
    Plan p = makePlan(cpuOnly(32, 64 * GiB), volumes(320), {});
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Ddp);
    QCOMPARE(p.config.distributed.devices, std::vector<std::string>{"cpu:4"});
    QCOMPARE(p.worldSize, 4);
    QCOMPARE(int(p.budgets.size()), 4);
  }

  void measuredCpuSpeedupDecides() {
    UserConstraints faster;
    faster.measuredCpuRanksSpeedup = 1.5;
    Plan p = makePlan(cpuOnly(4), volumes(320), faster);
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Ddp);
    QCOMPARE(p.config.distributed.devices, std::vector<std::string>{"cpu:2"});
    QVERIFY(anyContains(p.reasons, "Measured"));
    UserConstraints slower;
    slower.measuredCpuRanksSpeedup = 0.95;
    QCOMPARE(makePlan(cpuOnly(32), volumes(320), slower).config.distributed.strategy, StrategyKind::Single);
  }

  void oneGpuIsSingleWithBf16OnAmpere() {
    Plan p = makePlan(withGpus(1, 24, 8, 6), volumes(320), {});
    checkWellFormed(p);
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Single);
    QCOMPARE(p.config.distributed.devices, std::vector<std::string>{"cuda:0"});
    QCOMPARE(p.config.run.amp, AmpMode::Bf16);
    QCOMPARE(p.config.data.patch, 128);
    QVERIFY(p.config.data.batchPerDevice >= 2);
    QCOMPARE(int(p.options.size()), 2);  // DDP (world size 1) and single
  }

  void twoT4sRecommendDdpAndExplainDataParallel() {
    HardwareInventory h = withGpus(2, 15, 7, 5, 4);
    Plan p = makePlan(h, volumes(320), {});
    checkWellFormed(p);
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Ddp);
    QCOMPARE(p.config.distributed.devices, (std::vector<std::string>{"cuda:0", "cuda:1"}));
    QCOMPARE(p.config.run.amp, AmpMode::Fp16);
    QCOMPARE(p.worldSize, 2);
    QCOMPARE(p.globalBatch, int64_t(2 * p.config.data.batchPerDevice));
    QCOMPARE(int(p.options.size()), 3);
    QCOMPARE(p.options[1].kind, StrategyKind::DataParallel);
    QVERIFY(p.options[1].cost.find("Device 0") != std::string::npos);
    QVERIFY(p.options[0].estimatedSpeedup > p.options[1].estimatedSpeedup);
    QVERIFY(anyContains(p.reasons, "GUI"));  // DDP-in-threads works where the seed needed notebooks DP
    for (const auto& b : p.budgets) QVERIFY(b.estimatedBytes <= b.capacityBytes);
    QCOMPARE(p.budgets[0].estimatedBytes, p.budgets[1].estimatedBytes);  // DDP: balanced memory
  }

  void eightLargeGpusCapBatch() {
    Plan p = makePlan(withGpus(8, 80, 8, 0, 64), volumes(320), {});
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Ddp);
    QCOMPARE(p.worldSize, 8);
    QCOMPARE(p.config.data.batchPerDevice, 8);  // capped: more devices scale better than bigger batches
    QCOMPARE(p.config.run.amp, AmpMode::Bf16);
    QCOMPARE(p.globalBatch, int64_t(64));
    QVERIFY(p.config.data.workers <= 32 && p.config.data.workers >= 8);
  }

  // The "Validation?" step: on the release's layout (786 x 320^3, 8 held out) a CPU plan validates
  // a fixed patch set within 10 % of training, and says so; the config leaves the exact choice to
  // the run's start (auto). A handful of small volumes keeps the full sliding window.
  void validationIsAPlannedShare() {
    Plan release = makePlan(cpuOnly(2), volumes(320, 786), {});
    QCOMPARE(release.config.validation.patches, -1);
    QVERIFY(anyContains(release.reasons, "Validation 57 patches"));
    QVERIFY(anyContains(release.reasons, "fixed foreground patches every epoch"));
    QVERIFY(anyContains(release.reasons, "8 held-out volumes of up to 320x320x320"));
    QVERIFY(anyContains(release.reasons, "(1000 tiles) runs at the end of the run"));
    bool step = false;
    for (const auto& d : release.path) step = step || (d.question == "Validation?" && d.answer == "57 patches");
    QVERIFY(step);
    Plan small = makePlan(cpuOnly(2), volumes(64, 4), {});
    QVERIFY(anyContains(small.reasons, "Validation full sliding window"));
  }

  void augmentationSizesLoaderThreads() {
    // The preset's measured rate per loader thread against what the GPUs take: a costlier preset
    // never gets fewer threads, the plan says what each preset costs, and too few cores warn.
    UserConstraints strong;
    strong.augment = AugmentPreset::Strong;
    Plan byDefault = makePlan(withGpus(2, 80, 8, 0, 64), volumes(320), {});
    Plan heavy = makePlan(withGpus(2, 80, 8, 0, 64), volumes(320), strong);
    QCOMPARE(byDefault.config.data.augment, AugmentPreset::NnUnet);  // the default
    QCOMPARE(heavy.config.data.augment, AugmentPreset::Strong);
    QVERIFY(heavy.config.data.workers >= byDefault.config.data.workers);
    QVERIFY(anyContains(heavy.reasons, "Augmentation strong"));
    QVERIFY(anyContains(heavy.reasons, "nnunet"));  // every preset's cost is listed
    // vwb train --config reads it from the plan's JSON.
    QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(heavy.toJson())).object()["augment"].toString(),
             QString("strong"));
    const double perThread = augmentPatchesPerSecond(AugmentPreset::Strong, heavy.config.data.patch);
    const double consumed = 2 * 12 * std::pow(128.0 / heavy.config.data.patch, 3);
    QVERIFY(heavy.config.data.workers * perThread >= consumed * 1.25);
    // Eight GPUs on 4 cores cannot be fed with the strong preset at 128^3.
    UserConstraints at128 = strong;
    at128.patch = 128;
    Plan starved = makePlan(withGpus(8, 80, 8, 0, 4), volumes(320), at128);
    QVERIFY(anyContains(starved.warnings, "loader threads"));
    QVERIFY(!anyContains(byDefault.warnings, "loader threads"));
  }

  void smallMemoryShrinksBatchOrPatch() {
    Plan large = makePlan(withGpus(2, 40, 8, 0), volumes(320), {});
    Plan small = makePlan(withGpus(2, 4, 8, 0), volumes(320), {});
    QVERIFY(small.config.data.patch * 1000 + small.config.data.batchPerDevice <
            large.config.data.patch * 1000 + large.config.data.batchPerDevice);
    // Whatever was picked is the largest that fits: one more sample would exceed the budget.
    ModelConfig m;
    const auto& b = small.budgets[0];
    int64_t usable = b.capacityBytes * 85 / 100 - 600 * (int64_t(1) << 20);
    auto next = estimateTrainingMemory(m, small.config.data.patch, small.config.data.batchPerDevice + 1, 2);
    auto chosen = estimateTrainingMemory(m, small.config.data.patch, small.config.data.batchPerDevice, 2);
    QVERIFY(chosen.totalBytes() <= usable);
    QVERIFY(next.totalBytes() > usable || small.config.data.batchPerDevice == 8);
  }

  void tinyMemoryWarnsAndKeepsBatchOne() {
    ModelConfig big;
    big.baseChannels = 64;
    UserConstraints uc;
    uc.model = big;
    Plan p = makePlan(withGpus(1, 1, 7, 5), volumes(320), uc);
    QCOMPARE(p.config.data.batchPerDevice, 1);
    QVERIFY(anyContains(p.warnings, "not to fit"));
  }

  void forcedStrategies() {
    HardwareInventory h = withGpus(2, 16, 7, 0);
    UserConstraints dp;
    dp.strategy = StrategyKind::DataParallel;
    Plan p = makePlan(h, volumes(320), dp);
    QCOMPARE(p.config.distributed.strategy, StrategyKind::DataParallel);
    QVERIFY(p.options.front().recommended && p.options.front().kind == StrategyKind::DataParallel);
    QVERIFY(p.budgets[0].estimatedBytes > p.budgets[1].estimatedBytes);  // device 0 carries more
    QVERIFY(anyContains(p.reasons, "device 0 needs"));

    UserConstraints single;
    single.strategy = StrategyKind::Single;
    Plan s = makePlan(h, volumes(320), single);
    QCOMPARE(s.config.distributed.devices, std::vector<std::string>{"cuda:0"});
    QVERIFY(anyContains(s.warnings, "idle"));

    UserConstraints ddpCpu;
    ddpCpu.strategy = StrategyKind::Ddp;
    Plan c = makePlan(cpuOnly(2), volumes(320), ddpCpu);
    QCOMPARE(c.config.distributed.devices, std::vector<std::string>{"cpu:2"});

    UserConstraints dev;
    dev.devices = {"cpu:3"};
    QCOMPARE(makePlan(cpuOnly(2), volumes(320), dev).config.distributed.strategy, StrategyKind::Ddp);
    dev.devices = {"cuda:5"};
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(h, volumes(320), dev));
    dev.devices = {"gpu0"};
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(h, volumes(320), dev));

    UserConstraints fp16;
    fp16.amp = AmpMode::Fp16;
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(cpuOnly(2), volumes(320), fp16));
  }

  // The plan's explanations (engine/plan/PlanExplainer, shown by the wizard and printed by vwb
  // plan): a forced value is named beside the planner's own choice and reason; the strategies
  // keep the unforced plan's labels; nothing forced, nothing rewritten.
  void forcedChoicesAreExplainedAgainstThePlannersOwn() {
    const HardwareInventory h = withGpus(2, 16, 7, 0);
    const Plan own = makePlan(h, volumes(320), {});
    UserConstraints forced;
    forced.batchPerDevice = own.config.data.batchPerDevice + 1;
    forced.strategy = StrategyKind::Single;
    QVERIFY(anyContains(makePlan(h, volumes(320), forced).reasons, "Set with --batch."));
    const Plan explained = planTraining(h, volumes(320), CacheReadiness{1.0, -1}, forced);
    QCOMPARE(explained.config.data.batchPerDevice, own.config.data.batchPerDevice + 1);
    QVERIFY(!anyContains(explained.reasons, "Set with"));
    QVERIFY(anyContains(explained.reasons, "You chose "));
    QVERIFY(anyContains(explained.reasons, "the plan would choose"));
    bool stepSaysBoth = false;
    for (const DecisionStep& s : explained.path)
      if (s.question == "Batch per device?")
        stepSaysBoth = s.reason.find("You chose " + std::to_string(own.config.data.batchPerDevice + 1)) != std::string::npos &&
                       s.reason.find("the plan would choose " + std::to_string(own.config.data.batchPerDevice)) != std::string::npos;
    QVERIFY(stepSaysBoth);
    // Forcing the single strategy does not make it the recommended one.
    for (const StrategyOption& o : explained.options)
      for (const StrategyOption& p : own.options)
        if (o.kind == p.kind) QCOMPARE(o.recommended, p.recommended);
    QVERIFY(!withoutUserChoices(UserConstraints{}));
    QVERIFY(!withoutUserChoices(forced)->batchPerDevice && !withoutUserChoices(forced)->strategy);
    // Nothing forced: planTraining is makePlan with the cache's state in the constraints.
    UserConstraints withCache;
    withCache.cachedFraction = 0.25;
    withCache.diskFreeBytes = 5 * GiB;
    QCOMPARE(planTraining(h, volumes(320), CacheReadiness{0.25, 5 * GiB}, {}).toJson(),
             makePlan(h, volumes(320), withCache).toJson());
    // The planner given is the one asked, once per plan (the wizard passes its Engine's).
    int calls = 0;
    planTraining(h, volumes(320), {}, forced, [&](const HardwareInventory& a, const DatasetFingerprint& b,
                                                  const UserConstraints& c) {
      ++calls;
      return makePlan(a, b, c);
    });
    QCOMPARE(calls, 2);
    // Volumes below the planner's smallest patch: a given patch plans, and says why the planner
    // alone has no choice (it used to fail the explanation, and with it the plan).
    UserConstraints small;
    small.patch = 16;
    small.model.levels = 2;
    UserConstraints planners = small;
    planners.patch.reset();
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(cpuOnly(4), volumes(24), planners));
    const Plan given = planTraining(cpuOnly(4), volumes(24), {}, small);
    QCOMPARE(given.config.data.patch, 16);
    QVERIFY(anyContains(given.reasons, "You chose 16^3; the plan alone has no choice here (The smallest training volume"));
  }

  // vwb train --strategy auto: the plan sets what the user left open and keeps what they chose.
  void autoConfigKeepsChosenSettings() {
    const HardwareInventory h = cpuOnly(4);
    TrainConfig open;
    open.data.patch = 32;
    open.data.workers = 7;
    const Plan plan = resolveAutoConfig(open, h, ChosenSettings{});
    QCOMPARE(open.data.patch, plan.config.data.patch);
    QCOMPARE(open.data.workers, plan.config.data.workers);
    QCOMPARE(open.run.threads, plan.config.run.threads);
    QCOMPARE(open.distributed.strategy, plan.config.distributed.strategy);
    QVERIFY(open.distributed.strategy != StrategyKind::Auto);
    QCOMPARE(open.distributed.devices, plan.config.distributed.devices);

    TrainConfig chosen;
    chosen.data.patch = 32;
    chosen.data.workers = 7;
    ChosenSettings given;
    given.patch = given.workers = true;
    const Plan kept = resolveAutoConfig(chosen, h, given);
    QCOMPARE(chosen.data.patch, 32);
    QCOMPARE(chosen.data.workers, 7);
    QCOMPARE(chosen.run.threads, kept.config.run.threads);
    QVERIFY(anyContains(kept.reasons, "You chose"));  // the forced patch, explained
  }

  void multiNodeUsesDdpOverTcpStore() {
    HardwareInventory h = withGpus(2, 16, 8, 0);
    h.nodes = 3;
    Plan p = makePlan(h, volumes(320), {});
    QCOMPARE(p.config.distributed.strategy, StrategyKind::Ddp);
    QCOMPARE(p.config.distributed.nnodes, 3);
    QCOMPARE(p.worldSize, 6);
    QCOMPARE(p.globalBatch, int64_t(6 * p.config.data.batchPerDevice));
    QVERIFY(anyContains(p.warnings, "--master"));
    QVERIFY(p.path.front().reason.find("TCPStore") != std::string::npos);
    for (const auto& o : p.options) QCOMPARE(o.kind, StrategyKind::Ddp);  // nothing else spans nodes

    UserConstraints withMaster;
    withMaster.master = "10.0.0.1:29500";
    Plan m = makePlan(h, volumes(320), withMaster);
    QCOMPARE(m.config.distributed.master, std::string("10.0.0.1:29500"));
    QVERIFY(!anyContains(m.warnings, "--master"));

    UserConstraints dp;
    dp.strategy = StrategyKind::DataParallel;
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(h, volumes(320), dp));
  }

  void patchBoundedByVolumes() {
    Plan p = makePlan(withGpus(1, 80, 9, 0), volumes(80), {});
    QCOMPARE(p.config.data.patch, 80);  // smallest volume edge, a multiple of 8 (4 levels)
    Plan q = makePlan(withGpus(1, 80, 9, 0), volumes(70), {});
    QCOMPARE(q.config.data.patch, 64);
    UserConstraints uc;
    uc.patch = 96;
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(withGpus(1, 80, 9, 0), volumes(80), uc));
    uc.patch = 60;  // not divisible by 2^3
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(withGpus(1, 80, 9, 0), volumes(320), uc));
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(withGpus(1, 80, 9, 0), volumes(4), {}));
    Plan none = makePlan(cpuOnly(2), DatasetFingerprint{}, {});
    QVERIFY(anyContains(none.warnings, "not bounded"));
  }

  void jsonCarriesThePath() {
    Plan p = makePlan(withGpus(2, 15, 7, 5, 4), volumes(320), {});
    auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(p.toJson()));
    QVERIFY(doc.isObject());
    auto o = doc.object();
    QCOMPARE(o["strategy"].toString(), QString("ddp"));
    QCOMPARE(o["world_size"].toInt(), 2);
    QCOMPARE(o["amp"].toString(), QString("fp16"));
    QCOMPARE(o["path"].toArray().size(), int(p.path.size()));
    QVERIFY(!o["path"].toArray()[0].toObject()["reason"].toString().isEmpty());
    QCOMPARE(o["options"].toArray()[1].toObject()["strategy"].toString(), QString("dp"));
    QString text = QString::fromStdString(p.toText());
    QVERIFY(text.contains("why:"));
    QVERIFY(text.contains("* ddp"));
  }

  // Mixed precision follows what the hardware does natively: a faked AVX2-only CPU refuses
  // --amp bf16 (oneDNN would emulate it), an AMX CPU accepts it; pre-Ampere GPUs refuse bf16,
  // sm61 refuses fp16; auto never picks an emulated mode.
  void ampFollowsNativeSupport() {
    UserConstraints bf16;
    bf16.amp = AmpMode::Bf16;
    HardwareInventory avx2 = cpuOnly(2);
    avx2.cpuIsa = CpuVectorIsa::Avx2;
    avx2.cpuBf16 = false;
    try {
      makePlan(avx2, volumes(320), bf16);
      QFAIL("--amp bf16 was accepted on a CPU without native bf16");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("AVX2") != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("no native bf16") != std::string::npos, e.what());
    }
    QCOMPARE(makePlan(avx2, volumes(320), {}).config.run.amp, AmpMode::Off);

    HardwareInventory amx = cpuOnly(2);
    amx.cpuIsa = CpuVectorIsa::Amx;
    amx.cpuBf16 = true;
    QCOMPARE(makePlan(amx, volumes(320), bf16).config.run.amp, AmpMode::Bf16);
    QCOMPARE(makePlan(amx, volumes(320), {}).config.run.amp, AmpMode::Off);

    QVERIFY_THROWS_EXCEPTION(Error, makePlan(withGpus(1, 16, 7, 5), volumes(320), bf16));
    QCOMPARE(makePlan(withGpus(1, 80, 9, 0), volumes(320), bf16).config.run.amp, AmpMode::Bf16);

    UserConstraints fp16;
    fp16.amp = AmpMode::Fp16;
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(withGpus(1, 24, 6, 1), volumes(320), fp16));
    QCOMPARE(makePlan(withGpus(1, 16, 6, 0), volumes(320), fp16).config.run.amp, AmpMode::Fp16);
    QCOMPARE(makePlan(withGpus(1, 24, 6, 1), volumes(320), {}).config.run.amp, AmpMode::Off);
  }

  // The CPU's vector ISA from /proc/cpuinfo flags, and in the plan's hardware summary.
  void cpuIsaFromFlags() {
    const std::string avx2 = "flags : fpu sse2 avx fma avx2";
    const std::string avx512 = avx2 + " avx512f avx512dq avx512bw avx512vl";
    QCOMPARE(parseCpuFlags("flags : fpu sse2 avx").isa(), CpuVectorIsa::Baseline);
    QCOMPARE(parseCpuFlags(avx2).isa(), CpuVectorIsa::Avx2);
    QCOMPARE(parseCpuFlags(avx512).isa(), CpuVectorIsa::Avx512);
    QVERIFY(!parseCpuFlags(avx512).nativeBf16());
    QCOMPARE(parseCpuFlags(avx512 + " avx512_bf16").isa(), CpuVectorIsa::Avx512Bf16);
    QVERIFY(parseCpuFlags(avx512 + " avx512_bf16").nativeBf16());
    QCOMPARE(parseCpuFlags(avx512 + " avx512_bf16 amx_bf16 amx_tile").isa(), CpuVectorIsa::Amx);
    // avx512_bf16 without the AVX-512 base is not something oneDNN's bf16 kernels can use.
    QVERIFY(!parseCpuFlags(avx2 + " avx512_bf16").nativeBf16());
    HardwareInventory h = cpuOnly(4);
    h.cpuIsa = CpuVectorIsa::Avx512Bf16;
    QVERIFY2(h.summary().find("4 CPU cores (AVX-512 + bf16)") != std::string::npos,
             h.summary().c_str());
    QVERIFY(h.toJson().find("\"isa\": \"AVX-512 + bf16\"") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestPlanner)
#include "TestPlanner.moc"
