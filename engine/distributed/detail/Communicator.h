#pragma once
// Private (torch): one rank's handle on a c10d process group. Hides the c10d API drift
// (LibTorch 1.13: ProcessGroupGloo/NCCL derive from ProcessGroup; 2.x: from Backend), bounds every
// wait by the configured timeout and turns failures into vwb::Error naming the rank and the
// operation. NCCL only when built against a CUDA LibTorch with VWB_WITH_NCCL; Gloo always.
#include <torch/torch.h>
#include <torch/version.h>

#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <string>

#include "engine/core/Error.h"
#include "engine/core/Reporting.h"
#include "engine/distributed/AbortSignal.h"

namespace c10d {
#if TORCH_VERSION_MAJOR >= 2
class Backend;
#else
class ProcessGroup;
#endif
}  // namespace c10d

namespace vwb::dist {

#if TORCH_VERSION_MAJOR >= 2
using C10dBackend = c10d::Backend;
#else
using C10dBackend = c10d::ProcessGroup;
#endif

enum class BackendKind { Gloo, Nccl };

// Ranks as threads of one process meet in a HashStore; processes meet in a RendezvousStore over
// TCP that only the process told it is node 0 hosts (listening on exactly `host`, or `bindHost`)
// while every process connects (RendezvousStore.h says why not c10d's TCPStore).
c10::intrusive_ptr<c10d::Store> makeHashStore();
c10::intrusive_ptr<c10d::Store> makeTcpStore(const std::string& host, int port, bool bind,
                                             std::chrono::milliseconds timeout,
                                             const std::string& bindHost, const std::string& secret,
                                             const std::string& secretSource, LogSink* log = nullptr);

struct CommOptions {
  BackendKind backend = BackendKind::Gloo;
  std::chrono::milliseconds timeout{60000};
  // Address Gloo's sockets bind to: "127.0.0.1" for one machine; empty = this host's address
  // (or the interface in GLOO_SOCKET_IFNAME) for several machines.
  std::string gloohost = "127.0.0.1";
  std::shared_ptr<AbortSignal> abort;  // shared by this process's ranks (may be null)
  LogSink* log = nullptr;  // failures' full C++ traces, at debug level (may be null)
};

// Set by the backend's future callback (on a backend thread) when an operation ends, with the
// time, so that waits can sleep on it and the overlap with backward can be measured.
struct Completion {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  double at = 0;
};

// A collective in flight.
struct PendingOp {
  c10::intrusive_ptr<c10d::Work> work;
  std::string what;
  double launchedAt = 0;
  std::shared_ptr<Completion> completion = std::make_shared<Completion>();
  bool valid() const { return bool(work); }
};

double nowSeconds();  // monotonic

class Communicator {
 public:
  Communicator(c10::intrusive_ptr<c10d::Store> store, int rank, int size, CommOptions options);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Sum over ranks, in place, asynchronously. `what` names it in errors ("gradient bucket 3").
  PendingOp allreduceSumAsync(at::Tensor& tensor, const std::string& what);
  // Waits for op, at most the timeout; throws vwb::Error on failure, timeout or abort.
  void wait(PendingOp& op);

  void allreduceSum(at::Tensor& tensor, const std::string& what);
  std::vector<double> allreduceSum(const std::vector<double>& values, const std::string& what);
  // Overwrites every rank's tensors with root's; tensors are flattened per dtype first.
  void broadcast(const std::vector<at::Tensor>& tensors, int root, const std::string& what);
  void barrier(const std::string& what);

  // Tells every rank to stop: raises the shared signal and sets a key in the store so ranks in
  // other processes see it too.
  void abort(const std::string& message);

 private:
  void checkAbort();
  PendingOp track(c10::intrusive_ptr<c10d::Work> work, const std::string& what, double launchedAt);
  [[noreturn]] void fail(const std::string& what, const std::string& problem);
  [[noreturn]] void fail(const std::string& what, const std::exception& e);  // message, trace to log

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<C10dBackend> group_;
  int rank_, size_;
  CommOptions options_;
  double lastStoreCheck_ = 0;
};

}  // namespace vwb::dist
