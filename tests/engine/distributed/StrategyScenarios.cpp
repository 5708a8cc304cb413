// Torch side of the strategy tests: the DDP-in-threads and DataParallel strategies against the
// single-device one on identical batches, and a rank failing mid-step.
#include "StrategyScenarios.h"

#include <torch/torch.h>

#include "engine/core/Error.h"
#include "engine/distributed/detail/Communicator.h"
#include "engine/model/CheckpointInfo.h"
#include "engine/trainer/detail/Strategies.h"

using namespace vwb;

namespace vwbtest::dist {
namespace {

TrainConfig smallConfig() {
  TrainConfig c;
  c.model.levels = 2;
  c.model.baseChannels = 4;
  c.model.norm = NormKind::Instance;
  c.data.patch = 16;
  c.run.seed = 3;
  c.optimizer.lr = 1e-2;
  c.optimizer.gradClip = 1.0;
  c.run.amp = AmpMode::Off;
  return c;
}

GlobalBatch randomBatch(int64_t step, int64_t n) {
  auto gen = at::detail::createCPUGenerator(uint64_t(500 + step));
  GlobalBatch b;
  b.step = step;
  b.image = torch::randn({n, 1, 16, 16, 16}, gen);
  b.label = torch::randint(0, 3, {n, 1, 16, 16, 16}, gen, torch::kUInt8);
  return b;
}

std::unique_ptr<TrainStrategy> build(StrategyKind kind, std::vector<std::string> devices,
                                     int batchPerDevice, OptimizerKind optimizer = OptimizerKind::AdamW) {
  TrainConfig c = smallConfig();
  c.optimizer.kind = optimizer;
  c.distributed.strategy = kind;
  c.distributed.devices = std::move(devices);
  c.data.batchPerDevice = batchPerDevice;
  auto s = makeStrategy(c);
  StrategyContext ctx;
  ctx.config = c;
  s->setup(ctx);
  return s;
}

// Over the conv weights only: a conv bias in front of instance norm has no effect on the output,
// so its gradient is rounding noise that AdamW (update ~ lr * sign) turns into arbitrary values.
double maxRelDiff(UNet3DImpl& a, UNet3DImpl& ref) {
  auto pa = a.parameters(), pr = ref.parameters();
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (pa[i].dim() < 2) continue;
    double scale = pr[i].abs().max().item<double>() + 1e-12;
    worst = std::max(worst, (pa[i] - pr[i]).abs().max().item<double>() / scale);
  }
  return worst;
}

}  // namespace

Equivalence strategiesMatchSingleDevice(int ranks, int b, int steps, bool sgd) {
  torch::set_num_threads(2);
  const OptimizerKind opt = sgd ? OptimizerKind::Sgd : OptimizerKind::AdamW;
  auto single = build(StrategyKind::Single, {"cpu"}, ranks * b, opt);
  auto ddp = build(StrategyKind::Ddp, {"cpu:" + std::to_string(ranks)}, b, opt);
  auto dp = build(StrategyKind::DataParallel, {"cpu:" + std::to_string(ranks)}, b, opt);
  std::vector<torch::Tensor> start;
  for (auto& p : single->model().parameters()) start.push_back(p.detach().clone());
  Equivalence e;
  for (int s = 0; s < steps; ++s) {
    auto batch = randomBatch(s, ranks * b);
    e.singleLoss = single->step(batch, 1e-2).loss;
    e.ddpLoss = ddp->step(batch, 1e-2).loss;
    e.dpLoss = dp->step(batch, 1e-2).loss;
  }
  e.ddpMaxRelDiff = maxRelDiff(ddp->model(), single->model());
  e.dpMaxRelDiff = maxRelDiff(dp->model(), single->model());
  // And what the models compute: logits on unseen samples.
  auto probe = randomBatch(99, 2).image;
  auto ref = single->predictLogits(probe);
  double scale = ref.abs().max().item<double>() + 1e-12;
  e.ddpLogitsRelDiff = (ddp->predictLogits(probe) - ref).abs().max().item<double>() / scale;
  e.dpLogitsRelDiff = (dp->predictLogits(probe) - ref).abs().max().item<double>() / scale;
  auto now = single->model().parameters();
  for (size_t i = 0; i < now.size(); ++i)
    e.paramsMoved = std::max(e.paramsMoved, (now[i] - start[i]).abs().max().item<double>());
  return e;
}

StrategyFailure ddpRankFailureStopsStep(int timeoutSec) {
  TrainConfig c = smallConfig();
  c.distributed.strategy = StrategyKind::Ddp;
  c.distributed.devices = {"cpu:3"};
  c.data.batchPerDevice = 1;
  c.distributed.timeoutSec = timeoutSec;
  auto s = makeStrategy(c);
  StrategyContext ctx;
  ctx.config = c;
  ctx.beforeMicroBatch = [](int64_t step, int device, int64_t) {
    if (step == 2 && device == 1) throw std::runtime_error("simulated failure in rank 1's data");
  };
  s->setup(ctx);
  StrategyFailure f;
  double start = 0;
  try {
    for (int step = 0; step < 4; ++step) {
      start = vwb::dist::nowSeconds();
      s->step(randomBatch(step, 3), 1e-2);
    }
  } catch (const Error& e) {
    f.threw = true;
    f.message = e.what();
  }
  f.seconds = vwb::dist::nowSeconds() - start;
  try {
    s->step(randomBatch(5, 3), 1e-2);
  } catch (const Error&) {
    f.refusedAfter = true;
  }
  return f;
}

std::vector<double> checkpointParameters(const std::string& path) {
  CheckpointInfo info = readCheckpointInfo(path);
  UNet3D net = makeUNet3D(info.model, 0);
  torch::serialize::InputArchive archive, model;
  archive.load_from(path);
  archive.read("model", model);
  net->load(model);
  std::vector<double> out;
  for (const auto& p : net->parameters()) {
    auto c = p.detach().to(torch::kDouble).reshape(-1).contiguous();
    out.insert(out.end(), c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  }
  return out;
}

long long checkpointMicroBatch(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  c10::IValue v;
  return archive.try_read("micro_batch", v) ? v.toInt() : -1;
}

}  // namespace vwbtest::dist
