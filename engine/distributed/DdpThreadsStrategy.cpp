#include "engine/distributed/torch/DdpThreadsStrategy.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/detail/NodeAgreement.h"

namespace vwb::dist {
namespace {

bool isLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

}  // namespace

DdpThreadsStrategy::DdpThreadsStrategy(const TrainConfig& config)
    : config_(config), local_(parseLocalDevices(config.distributed.devices)) {
  spec_ = rendezvousFromConfig(config.distributed, int(local_.size()));
}

DdpThreadsStrategy::~DdpThreadsStrategy() {
  // Workers first (they use the ranks), then the ranks' groups, then the store.
  workers_.reset();
  ranks_.clear();
}

std::vector<std::string> DdpThreadsStrategy::devices() const {
  std::vector<std::string> out;
  for (int node = 0; node < spec_.nnodes; ++node)
    for (const auto& d : local_)
      out.push_back(spec_.nnodes == 1 ? d.label : fmt::format("node{}/{}", node, d.label));
  return out;
}

void DdpThreadsStrategy::setup(const StrategyContext& context) {
  context_ = context;
  std::string why;
  precision_ = resolvePrecision(config_.run.amp, DeviceName{local_.front().device.is_cuda(), local_.front().device.index()}, &why);
  if (context.log) context.log->log(LogLevel::Info, "precision: " + why);
  const auto timeout = std::chrono::milliseconds(int64_t(spec_.timeoutSec) * 1000);
  if (!(config_.distributed.bucketMb > 0))
    throw Error(fmt::format("--bucket-mb {}: must be positive", config_.distributed.bucketMb));

  CommOptions options;
  options.timeout = timeout;
  options.abort = abort_;
  options.log = context.log;
  if (spec_.multiProcess()) {
    store_ = makeTcpStore(spec_.master.host, spec_.master.port, spec_.nodeRank == 0, timeout,
                          spec_.bindHost, spec_.secret, spec_.secretSource, context.log);
    options.gloohost = isLoopback(spec_.master.host) ? "127.0.0.1" : "";
    // Before the first collective: mismatched settings would make it fail (or abort) obscurely.
    checkNodesAgree(*store_, spec_,
                    agreedSettings(config_, int(local_.size()), context.source,
                                   context.trainVolumes ? *context.trainVolumes : std::vector<int>{}),
                    timeout);
  } else {
    store_ = makeHashStore();
  }
  bool cuda = local_.front().device.is_cuda();
#ifdef VWB_WITH_NCCL
  if (cuda) options.backend = BackendKind::Nccl;
#endif
  // CPU ranks share the machine's intra-op threads (the loop set the total).
  int total = std::max(1, torch::get_num_threads());
  threadsPerRank_ = cuda ? std::max(1, std::min(4, total)) : std::max(1, total / int(local_.size()));

  for (size_t i = 0; i < local_.size(); ++i) {
    auto r = std::make_unique<Rank>();
    r->device = local_[i];
    r->globalRank = spec_.globalRank(int(i));
    r->staging = std::make_unique<BatchStaging>(r->device.device);
    ranks_.push_back(std::move(r));
  }
  workers_ = std::make_unique<RankWorkers>(int(local_.size()), abort_, spec_.globalRank(0),
                                           [this](int rank) {
                                             // Drop the failed rank's group: peers blocked on it
                                             // fail at once instead of at the timeout.
                                             ranks_[size_t(rank)]->bucketer.reset();
                                             ranks_[size_t(rank)]->comm.reset();
                                           });
  const int world = spec_.worldSize();
  workers_->run([&](int i) {
    at::init_num_threads();
    at::set_num_threads(threadsPerRank_);
    Rank& r = *ranks_[size_t(i)];
    std::optional<CpuRankMemory::Scope> metered;  // the replica's weights count for its rank
    if (r.device.device.is_cpu()) metered.emplace(r.memory);
    r.comm = std::make_unique<Communicator>(store_, r.globalRank, world, options);
    r.model = makeUNet3D(config_.model, config_.run.seed);
    r.model->to(r.device.device);
    r.model->train();
    std::vector<at::Tensor> state = r.model->parameters();
    for (auto& b : r.model->buffers()) state.push_back(b);
    r.comm->broadcast(state, 0, "initial parameter broadcast");
    r.update = OptimizerUpdate(config_, r.model->parameters(), precision_ == Precision::F16);
    r.bucketer = std::make_unique<GradientBucketer>(*r.comm, r.model->parameters(),
                                                    int64_t(config_.distributed.bucketMb * 1024 * 1024));
  });
  if (context.log)
    context.log->log(LogLevel::Info,
                     fmt::format("ddp: {} rank{} ({} here, {} intra-op thread{} each), {} gradient "
                                 "bucket{} of <= {:g} MB, {}",
                                 world, world == 1 ? "" : "s", local_.size(), threadsPerRank_,
                                 threadsPerRank_ == 1 ? "" : "s", ranks_[0]->bucketer->layout().size(),
                                 ranks_[0]->bucketer->layout().size() == 1 ? "" : "s", config_.distributed.bucketMb,
                                 spec_.multiProcess()
                                     ? fmt::format("rendezvous store at {}:{}", spec_.master.host,
                                                   spec_.master.port)
                                     : std::string("in-process HashStore")));
}

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

void DdpThreadsStrategy::stepRank(Rank& r, const GlobalBatch& batch, double lr) {
  std::optional<CpuRankMemory::Scope> metered;
  if (r.device.device.is_cpu()) metered.emplace(r.memory);
  r.computeSec = r.commSec = 0;
  r.update.setLearningRate(lr);
  const int world = spec_.worldSize();
  const int64_t shard = batch.size() / world;
  const int64_t first = shard * r.globalRank;
  bool prepared = false;
  ShardPass pass{r.model.get(), precision_, r.device.device, &config_, &r.update.scaler(), nullptr,
                 [&] {  // only the shard's last backward synchronises
                   r.bucketer->prepare();
                   prepared = true;
                 }};
  if (context_.beforeMicroBatch)
    pass.beforeMicroBatch = [&](int64_t len) { context_.beforeMicroBatch(batch.step, int(r.globalRank), len); };
  for (;;) {
    const BatchStaging::DeviceShard onDevice = r.staging->take(batch, first, shard);
    r.update.zeroGrad();
    const auto computeStart = Clock::now();
    double lossSum = 0;
    bool outOfMemory = false;
    prepared = false;
    try {
      // Mean over this rank's shard; the bucketer averages over ranks: the global-batch mean.
      // The loss's host synchronisation ends the compute (what the timing measures).
      lossSum = accumulateShard(onDevice, shard, r.update.microBatchSize(), double(shard), pass);
    } catch (const std::exception& e) {
      if (!isOutOfMemory(e)) throw;
      outOfMemory = true;
    }
    r.computeSec += since(computeStart);
    const auto commStart = Clock::now();
    // Every rank launches every bucket once per attempt, even after an out-of-memory, so the
    // collectives stay matched; a failed attempt's gradients are then thrown away.
    if (!prepared) r.bucketer->prepare();
    r.bucketer->finish();
    r.stats = r.bucketer->lastStats();
    // Loss (for reporting, identical on every rank) and the number of ranks that ran out.
    auto sums = r.comm->allreduceSum({lossSum, outOfMemory ? 1.0 : 0.0}, "loss all-reduce");
    r.commSec += since(commStart);
    if (sums[1] == 0) {
      r.result.loss = sums[0] / world;
      break;
    }
    r.update.zeroGrad();
    releaseCachedMemory(r.device.device);
    const std::string warning = r.update.microBatch().halve(
        fmt::format("{} rank{}", int(sums[1]), sums[1] == 1 ? "" : "s"), batch.step, batch.size(), true);
    if (r.globalRank == 0 && context_.log) context_.log->log(LogLevel::Warning, warning);
  }
  r.result.microBatch = r.update.microBatchSize();
  // All ranks hold the same averaged gradients: clipping, skips and updates agree.
  const OptimizerUpdate::Outcome outcome = r.update.apply(r.model->parameters(), r.result.loss);
  r.result.gradNorm = outcome.gradNorm;
  r.result.skipped = outcome.skipped;
}

void DdpThreadsStrategy::prefetch(const GlobalBatch& next) {
  const int world = spec_.worldSize();
  if (next.size() % world != 0) return;  // step() reports it
  const int64_t shard = next.size() / world;
  for (auto& r : ranks_) r->staging->stage(next, shard * r->globalRank, shard);
}

StepResult DdpThreadsStrategy::step(const GlobalBatch& batch, double lr) {
  const int world = spec_.worldSize();
  if (batch.size() % world != 0)
    throw Error(fmt::format("ddp: global batch {} does not split evenly over {} ranks",
                            batch.size(), world));
  workers_->run([&](int i) { stepRank(*ranks_[size_t(i)], batch, lr); });
  lastStats_ = ranks_.front()->stats;
  // Rank 0's wait stands for the step's (every rank waits for the same collectives); the
  // compute times of all local ranks give the spread.
  ranks_.front()->result.commSeconds = ranks_.front()->commSec;
  ranks_.front()->result.deviceSeconds.clear();
  for (const auto& r : ranks_) ranks_.front()->result.deviceSeconds.push_back(r->computeSec);
  return ranks_.front()->result;
}

torch::Tensor DdpThreadsStrategy::predictLogits(const torch::Tensor& image) {
  // Every replica holds the same weights: rank 0's replica predicts.
  torch::Tensor out;
  workers_->run([&](int i) {
    if (i != 0) return;
    Rank& r = *ranks_[0];
    torch::NoGradGuard noGrad;
    r.model->eval();
    {
      AutocastScope autocast(precision_, r.device.device.is_cuda());
      out = r.model->forward(image.to(r.device.device));
    }
    r.model->train();
    out = out.to(torch::kCPU, torch::kFloat32);
  });
  return out;
}

void DdpThreadsStrategy::saveState(torch::serialize::OutputArchive& archive) {
  ranks_.front()->update.save(archive);  // every rank holds the same state
}

void DdpThreadsStrategy::loadState(torch::serialize::InputArchive& archive) {
  // The loop loaded rank 0's replica: every rank takes its weights (across nodes by broadcast)
  // and the same optimizer, scaler and micro-batch state (each rank its own moments).
  for (auto& r : ranks_) r->update.load(archive, r->device.device);
  std::vector<at::Tensor> reference = ranks_.front()->model->parameters();
  workers_->run([&](int i) {
    Rank& r = *ranks_[size_t(i)];
    torch::NoGradGuard noGrad;
    auto mine = r.model->parameters();
    if (i != 0)
      for (size_t k = 0; k < mine.size(); ++k) mine[k].copy_(reference[k].to(r.device.device));
    r.comm->broadcast(mine, 0, "parameter broadcast after resume");
  });
}

std::string DdpThreadsStrategy::fromNodeZero(std::string bytes, const std::string& what) {
  if (!spec_.multiProcess()) return bytes;
  // A collective: every rank of every node takes part; global rank 0 is the source. Length
  // first, then the bytes, on each rank's device (NCCL needs them there).
  std::string received;
  workers_->run([&](int i) {
    Rank& r = *ranks_[size_t(i)];
    const bool source = r.globalRank == 0;
    auto length = torch::full({1}, source ? int64_t(bytes.size()) : int64_t(0),
                              torch::TensorOptions().dtype(torch::kInt64).device(r.device.device));
    r.comm->broadcast({length}, 0, what + " (size)");
    const int64_t n = length.to(torch::kCPU).item<int64_t>();
    auto buffer = torch::empty({n}, torch::TensorOptions().dtype(torch::kUInt8));
    if (source) std::memcpy(buffer.data_ptr<uint8_t>(), bytes.data(), size_t(n));
    auto onDevice = buffer.to(r.device.device);
    r.comm->broadcast({onDevice}, 0, what);
    if (i == 0) {
      buffer = onDevice.to(torch::kCPU).contiguous();
      received.assign(reinterpret_cast<const char*>(buffer.data_ptr<uint8_t>()), size_t(n));
    }
  });
  return received;
}

std::vector<DeviceMemory> DdpThreadsStrategy::memory() const {
  std::vector<DeviceMemory> out;
  for (const auto& r : ranks_)
    out.push_back(r->device.device.is_cpu() ? r->memory.snapshot(r->device.label)
                                            : probeDeviceMemory(r->device.device, r->device.label));
  return out;
}

}  // namespace vwb::dist
