// Torch side of the distributed tests: ranks as threads over a HashStore (or processes over a
// TCPStore for the toy run), exercising Communicator, GradientBucketer and runRankThreads.
#include "DistScenarios.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "engine/core/Error.h"
#include "engine/distributed/RankThreads.h"
#include "engine/distributed/Rendezvous.h"
#include "engine/distributed/RendezvousAuth.h"
#include "engine/distributed/detail/Communicator.h"
#include "engine/distributed/torch/GradientBucketer.h"

using namespace vwb::dist;

namespace vwbtest::dist {
namespace {

CommOptions options(int timeoutSec, std::shared_ptr<AbortSignal> abort) {
  CommOptions o;
  o.timeout = std::chrono::milliseconds(timeoutSec * 1000);
  o.abort = std::move(abort);
  return o;
}

// Linear(8,16) -> ReLU -> Linear(16,1), plus an `unused` parameter the forward never touches.
// Initialised from its own generator: torch::manual_seed is process-global, so rank threads
// seeding it concurrently would race and make the thread run's rank-0 init nondeterministic.
struct ToyNet : torch::nn::Module {
  torch::nn::Linear a{nullptr}, b{nullptr};
  torch::Tensor unused;
  explicit ToyNet(uint64_t seed) {
    a = register_module("a", torch::nn::Linear(8, 16));
    b = register_module("b", torch::nn::Linear(16, 1));
    unused = register_parameter("unused", torch::ones({3}));
    auto gen = at::detail::createCPUGenerator(seed);
    torch::NoGradGuard noGrad;
    for (auto& p : parameters()) p.copy_(torch::randn(p.sizes(), gen) * 0.3);
  }
  torch::Tensor forward(const torch::Tensor& x) { return b(torch::relu(a(x))); }
};

// Own generator per call: rank threads must not share the global one.
torch::Tensor batchFor(int globalRank, int step, int micro, torch::Tensor* target) {
  auto gen = at::detail::createCPUGenerator(uint64_t(1000 + 97 * globalRank + 13 * step + micro));
  auto x = torch::randn({4, 8}, gen);
  *target = x.sum(1, true) * 0.1;
  return x;
}

double now() { return nowSeconds(); }

}  // namespace

std::vector<std::vector<double>> allreduceKnownValues(int world) {
  auto store = makeHashStore();
  auto abort = std::make_shared<AbortSignal>();
  std::vector<std::vector<double>> out(static_cast<size_t>(world));
  runRankThreads(world, [&](int r) {
    Communicator comm(store, r, world, options(20, abort));
    std::vector<double> v;
    for (int i = 0; i < 5; ++i) v.push_back((r + 1) + 0.5 * i);
    out[size_t(r)] = comm.allreduceSum(v, "known values");
  }, *abort);
  return out;
}

GradCheck bucketedGradientsMatchMean(int world, int64_t bucketBytes, int microBatches,
                                     bool overlap) {
  auto store = makeHashStore();
  auto abort = std::make_shared<AbortSignal>();
  std::vector<std::vector<torch::Tensor>> reduced(static_cast<size_t>(world)), local(static_cast<size_t>(world)),
      params(static_cast<size_t>(world));
  GradCheck check;
  runRankThreads(world, [&](int r) {
    ToyNet net(uint64_t(r + 1));  // different init per rank: broadcast must fix it
    Communicator comm(store, r, world, options(20, abort));
    auto ps = net.parameters();
    comm.broadcast(ps, 0, "parameter broadcast");
    for (auto& p : ps) params[size_t(r)].push_back(p.detach().clone());
    // Reference: this rank's own accumulated gradients, without any communication.
    for (int m = 0; m < microBatches; ++m) {
      torch::Tensor t;
      auto x = batchFor(r, 0, m, &t);
      torch::mse_loss(net.forward(x), t).backward();
    }
    for (auto& p : ps)
      local[size_t(r)].push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    for (auto& p : ps)
      if (p.grad().defined()) p.mutable_grad().zero_();
    // The same passes through the bucketer: only the last micro-batch syncs.
    GradientBucketer bucketer(comm, ps, bucketBytes, overlap);
    for (int m = 0; m < microBatches; ++m) {
      if (m == microBatches - 1) bucketer.prepare();
      torch::Tensor t;
      auto x = batchFor(r, 0, m, &t);
      torch::mse_loss(net.forward(x), t).backward();
    }
    bucketer.finish();
    for (auto& p : ps) reduced[size_t(r)].push_back(p.grad().clone());
    if (r == 0) {
      check.buckets = bucketer.lastStats().buckets;
      check.overlapFraction = bucketer.lastStats().overlapFraction();
      check.allreduceSec = bucketer.lastStats().allreduceSec;
    }
  }, *abort);
  check.maxGradError = 0;
  check.maxBroadcastSpread = 0;
  for (size_t i = 0; i < reduced[0].size(); ++i) {
    torch::Tensor mean = torch::zeros_like(local[0][i]);
    for (int r = 0; r < world; ++r) mean += local[size_t(r)][i];
    mean /= world;
    for (int r = 0; r < world; ++r) {
      check.maxGradError =
          std::max(check.maxGradError, (reduced[size_t(r)][i] - mean).abs().max().item<double>());
      check.maxBroadcastSpread = std::max(
          check.maxBroadcastSpread, (params[size_t(r)][i] - params[0][i]).abs().max().item<double>());
    }
  }
  return check;
}

Failure timeoutWhenRankSilent(int timeoutSec) {
  auto store = makeHashStore();
  auto abort = std::make_shared<AbortSignal>();
  Failure f;
  double start = 0;
  try {
    runRankThreads(2, [&](int r) {
      Communicator comm(store, r, 2, options(timeoutSec, abort));
      if (r == 1) {
        // Alive but silent (a stuck rank): wait for the abort, then leave without a collective.
        while (!abort->raised()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return;
      }
      start = now();
      auto t = torch::ones({4});
      comm.allreduceSum(t, "all-reduce nobody answers");
    }, *abort);
  } catch (const vwb::Error& e) {
    f.threw = true;
    f.message = e.what();
  }
  f.seconds = now() - start;
  return f;
}

Failure abortWhenRankThrows(int timeoutSec) {
  auto store = makeHashStore();
  auto abort = std::make_shared<AbortSignal>();
  Failure f;
  double failedAt = 0;
  try {
    runRankThreads(3, [&](int r) {
      Communicator comm(store, r, 3, options(timeoutSec, abort));
      for (int step = 0; step < 1000; ++step) {
        if (r == 2 && step == 3) {
          failedAt = now();
          throw std::runtime_error("simulated failure: the data worker lost its volume");
        }
        auto t = torch::full({1000}, double(r));
        comm.allreduceSum(t, "step all-reduce");
      }
    }, *abort);
  } catch (const vwb::Error& e) {
    f.threw = true;
    f.message = e.what();
  }
  f.seconds = now() - failedAt;
  return f;
}

std::vector<double> toyDdpParameters(const ToyRun& run) {
  c10::intrusive_ptr<c10d::Store> store;
  std::string gloohost = "127.0.0.1";
  if (run.nnodes > 1) {
    auto m = parseMaster(run.master);
    const auto secret = resolveRendezvousSecret("", [](const char* k) { return std::getenv(k); });
    store = makeTcpStore(m.host, m.port, run.nodeRank == 0,
                         std::chrono::milliseconds(run.timeoutSec * 1000), "", secret.bytes, secret.source);
  } else {
    store = makeHashStore();
  }
  auto abort = std::make_shared<AbortSignal>();
  std::vector<std::vector<double>> finals(static_cast<size_t>(run.localRanks));
  runRankThreads(run.localRanks, [&](int local) {
    int rank = run.nodeRank * run.localRanks + local;
    CommOptions o = options(run.timeoutSec, abort);
    o.gloohost = gloohost;
    Communicator comm(store, rank, run.world, o);
    ToyNet net(uint64_t(rank + 7));
    auto ps = net.parameters();
    comm.broadcast(ps, 0, "parameter broadcast");
    torch::optim::SGD opt(ps, torch::optim::SGDOptions(0.1));
    GradientBucketer bucketer(comm, ps, 64, true);
    for (int step = 0; step < run.steps; ++step) {
      if (step == run.dieAtStep) std::_Exit(3);  // no cleanup, sockets close: like kill -9
      if (step == run.hangAtStep)
        while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
      opt.zero_grad();
      bucketer.prepare();
      torch::Tensor t;
      auto x = batchFor(rank, step, 0, &t);
      torch::mse_loss(net.forward(x), t).backward();
      bucketer.finish();
      opt.step();
    }
    std::vector<double> flat;
    for (auto& p : ps) {
      auto c = p.detach().to(torch::kDouble).reshape(-1).contiguous();
      flat.insert(flat.end(), c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    finals[size_t(local)] = flat;
  }, *abort, run.nodeRank * run.localRanks);
  for (const auto& f : finals)
    if (f != finals[0]) throw vwb::Error("local ranks ended with different parameters");
  return finals[0];
}

}  // namespace vwbtest::dist
