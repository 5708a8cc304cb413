// c10d process groups behind one small class: creation (Gloo always, NCCL when built for it),
// asynchronous all-reduce with completion times, bounded abort-aware waits, broadcast, barrier.
#include "engine/distributed/detail/Communicator.h"

#include <torch/version.h>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#ifdef VWB_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/detail/RendezvousStore.h"

namespace vwb::dist {
namespace {

const char* kAbortKey = "vwb/abort";
constexpr std::chrono::milliseconds kWaitSlice{20};
constexpr double kStorePollSec = 0.25;

#ifdef USE_C10D_GLOO  // LibTorch's CMake targets define it; the Kaggle kit where Gloo's headers exist
std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& host) {
  if (!host.empty()) return c10d::ProcessGroupGloo::createDeviceForHostname(host);
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// c10::Error::what() appends a C++ stack trace (a dozen frames): the message alone is for people.
std::string messageOf(const std::exception& e) {
  if (auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

// Gloo writes to peer sockets without MSG_NOSIGNAL. When a peer dies mid-collective, the write
// raises SIGPIPE, whose default action kills this whole process (the GUI included) before the
// collective can report the closed connection. Python ignores SIGPIPE at start-up, which is why
// PyTorch never shows this; a C++ host must do it. Only the default disposition is replaced:
// a handler the application installed itself is left alone.
void ignoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
      std::signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

c10::intrusive_ptr<c10d::Store> makeHashStore() { return c10::make_intrusive<c10d::HashStore>(); }

c10::intrusive_ptr<c10d::Store> makeTcpStore(const std::string& host, int port, bool bind,
                                             std::chrono::milliseconds timeout,
                                             const std::string& bindHost, const std::string& secret,
                                             const std::string& secretSource, LogSink* log) {
#ifdef VWB_ONE_MACHINE  // the Kaggle kit's build (engine/kit/README.md): no TCP rendezvous, no nettle
  (void)host, (void)port, (void)bind, (void)timeout, (void)bindHost, (void)secret, (void)secretSource, (void)log;
  throw Error("several nodes: this build (the Kaggle kit) trains on the devices of one machine only");
#else
  ignoreSigpipeOnce();
  try {
    return c10::make_intrusive<RendezvousStore>(host, port, bind, bindHost, timeout, secret, secretSource, log);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(fmt::format("{} the rendezvous store at {}:{} failed within {} s: {}",
                            bind ? "binding" : "connecting to", host, port,
                            timeout.count() / 1000, messageOf(e)));
  }
#endif
}

Communicator::Communicator(c10::intrusive_ptr<c10d::Store> store, int rank, int size,
                           CommOptions options)
    : store_(std::move(store)), rank_(rank), size_(size), options_(std::move(options)) {
  ignoreSigpipeOnce();
  try {
    store_->setTimeout(options_.timeout);
    if (options_.backend == BackendKind::Nccl) {
#ifdef VWB_WITH_NCCL
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = options_.timeout;
      group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(store_, rank, size, o);
#else
      throw Error("NCCL was requested but this build's LibTorch has no CUDA/NCCL; use Gloo (CPU)");
#endif
    } else {
#ifdef USE_C10D_GLOO
      auto o = c10d::ProcessGroupGloo::Options::create(options_.timeout);
      o->devices.push_back(glooDevice(options_.gloohost));
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, rank, size, o);
#else
      throw Error("Gloo was requested but this build has no Gloo process groups (the PyTorch it was built "
                  "against ships no Gloo headers): use NCCL on GPUs, or one device");
#endif
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("joining the process group", e);
  }
}

Communicator::~Communicator() = default;

void Communicator::checkAbort() {
  if (options_.abort && options_.abort->raised())
    throw PeerFailure(fmt::format("rank {}: stopping because {}", rank_, options_.abort->message()));
  double now = nowSeconds();
  if (now - lastStoreCheck_ < kStorePollSec) return;
  lastStoreCheck_ = now;
  bool remote = false;
  std::string message;
  try {
    remote = store_->check({kAbortKey});
    if (remote) {
      auto v = store_->get(kAbortKey);
      message.assign(v.begin(), v.end());
    }
  } catch (const std::exception&) {
    return;  // the store's host may be gone; the collective itself reports that
  }
  if (remote) {
    if (options_.abort) options_.abort->raise(message);
    throw PeerFailure(fmt::format("rank {}: stopping because {}", rank_, message));
  }
}

void Communicator::fail(const std::string& what, const std::exception& e) {
  if (options_.log && messageOf(e) != e.what())
    options_.log->log(LogLevel::Debug, fmt::format("rank {}: {} failed: {}", rank_, what, e.what()));
  fail(what, messageOf(e));
}

void Communicator::fail(const std::string& what, const std::string& problem) {
  if (options_.abort && options_.abort->raised())
    throw PeerFailure(fmt::format("rank {}: stopping because {}", rank_, options_.abort->message()));
  auto has = [&](const char* s) { return problem.find(s) != std::string::npos; };
  if (has("losed") || has("reset") || has("EOF") || has("roken pipe"))
    throw PeerFailure(fmt::format("rank {} of {}: {} failed: another rank stopped (it crashed, "
                                  "was killed or failed): {}", rank_, size_, what, problem));
  if (has("imed out") || has("imeout"))
    throw PeerFailure(fmt::format("rank {} of {}: {} failed: no answer from every rank within {} s "
                                  "(a rank is stuck or gone){}", rank_, size_, what,
                                  options_.timeout.count() / 1000,
                                  problem == "timeout" ? "" : ": " + problem));
  throw Error(fmt::format("rank {} of {}: {} failed: {}", rank_, size_, what, problem));
}

PendingOp Communicator::track(c10::intrusive_ptr<c10d::Work> work, const std::string& what,
                               double launchedAt) {
  PendingOp op;
  op.work = std::move(work);
  op.what = what;
  op.launchedAt = launchedAt;
  auto completion = op.completion;
  op.work->getFuture()->addCallback([completion](c10::ivalue::Future&) {
    std::lock_guard<std::mutex> lock(completion->mutex);
    completion->done = true;
    completion->at = nowSeconds();
    completion->cv.notify_all();
  });
  return op;
}

PendingOp Communicator::allreduceSumAsync(at::Tensor& tensor, const std::string& what) {
  checkAbort();
  double launched = nowSeconds();
  try {
    std::vector<at::Tensor> tensors{tensor};
    return track(group_->allreduce(tensors), what, launched);
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

void Communicator::wait(PendingOp& op) {
  double deadline = nowSeconds() + double(options_.timeout.count()) / 1000.0;
  // Sleep in short slices so that an abort raised by another rank is seen quickly.
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(op.completion->mutex);
      if (op.completion->cv.wait_for(lock, kWaitSlice, [&] { return op.completion->done; })) break;
    }
    checkAbort();
    if (nowSeconds() > deadline)
      fail(op.what, "timeout");
  }
  try {
    op.work->wait();  // rethrows the backend's error, if any
  } catch (const std::exception& e) {
    fail(op.what, e);
  }
}

void Communicator::allreduceSum(at::Tensor& tensor, const std::string& what) {
  PendingOp op = allreduceSumAsync(tensor, what);
  wait(op);
}

std::vector<double> Communicator::allreduceSum(const std::vector<double>& values,
                                               const std::string& what) {
  at::Tensor t = torch::tensor(values, torch::kFloat64);
  allreduceSum(t, what);
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

void Communicator::broadcast(const std::vector<at::Tensor>& tensors, int root,
                             const std::string& what) {
  torch::NoGradGuard noGrad;
  std::map<std::pair<int, int>, std::vector<at::Tensor>> groups;  // (dtype, device) -> tensors
  for (const auto& t : tensors)
    if (t.defined() && t.numel() > 0)
      groups[{int(t.scalar_type()), int(t.device().index())}].push_back(t);
  for (auto& [key, list] : groups) {
    std::vector<at::Tensor> flatParts;
    for (const auto& t : list) flatParts.push_back(t.reshape(-1));
    std::vector<at::Tensor> flat{torch::cat(flatParts)};
    checkAbort();
    PendingOp op;
    try {
      c10d::BroadcastOptions o;
      o.rootRank = root;
      op = track(group_->broadcast(flat, o), what, nowSeconds());
    } catch (const std::exception& e) {
      fail(what, e);
    }
    wait(op);
    int64_t offset = 0;
    for (auto& t : list) {
      t.copy_(flat[0].narrow(0, offset, t.numel()).view_as(t));
      offset += t.numel();
    }
  }
}

void Communicator::barrier(const std::string& what) {
  checkAbort();
  PendingOp op;
  try {
    op = track(group_->barrier(), what, nowSeconds());
  } catch (const std::exception& e) {
    fail(what, e);
  }
  wait(op);
}

void Communicator::abort(const std::string& message) {
  if (options_.abort) options_.abort->raise(message);
  try {
    store_->set(kAbortKey, bytes(message));
  } catch (const std::exception&) {
    // The store may already be gone; ranks then see their collectives fail.
  }
}

}  // namespace vwb::dist
