#include "cmd/TrainConsole.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace vwb::cli {

namespace {
std::string duration(double seconds) {
  char buf[32];
  int s = static_cast<int>(seconds);
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, s / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  return buf;
}
}  // namespace

TrainConsole::TrainConsole() : tty_(isatty(STDERR_FILENO) != 0) {}

void TrainConsole::log(LogLevel level, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (barShown_) std::fputs("\n", stderr);
  barShown_ = false;
  console_.log(level, message);
}

void TrainConsole::onRunStart(const RunStartEvent& e) {
  lineEvery_ = std::max<int64_t>(1, e.stepsPerEpoch / 5);
}

void TrainConsole::onStep(const StepEvent& e) {
  std::lock_guard<std::mutex> lock(mutex_);
  char line[512];
  int n = std::snprintf(line, sizeof line,
                "epoch %lld/%lld step %lld/%lld loss %.4f lr %.2e %.1f samples/s data wait %.0f%%",
                static_cast<long long>(e.epoch), static_cast<long long>(e.totalSteps / std::max<int64_t>(e.stepsPerEpoch, 1)),
                static_cast<long long>(e.step), static_cast<long long>(e.totalSteps), e.loss, e.lr,
                e.samplesPerSec, 100 * e.dataWaitFraction);
  auto append = [&](const char* fmt, auto... args) {
    if (n >= 0 && n < int(sizeof line)) n += std::snprintf(line + n, sizeof line - size_t(n), fmt, args...);
  };
  // Several devices: the share spent waiting for gradients and the spread of the ranks' step
  // times (a straggler shows), and each GPU's busy share where the driver reports it.
  if (e.memory.size() > 1) append(" comm %.0f%% spread %.0f%%", 100 * e.commWaitFraction, 100 * e.stepSpread);
  for (const auto& m : e.memory)
    if (m.busy >= 0) append(" %s busy %.0f%%", m.device.c_str(), 100 * m.busy);
  append(" eta %s", duration(e.etaSec).c_str());
  if (tty_) {
    const int width = 20;
    int filled = static_cast<int>(width * e.stepInEpoch / std::max<int64_t>(e.stepsPerEpoch, 1));
    std::fprintf(stderr, "\r[%.*s%*s] %s\033[K", filled, "####################", width - filled, "",
                 line);
    std::fflush(stderr);
    barShown_ = true;
  } else if (e.stepInEpoch % lineEvery_ == 0 || e.step == e.totalSteps) {
    std::fprintf(stderr, "%s\n", line);
  }
}

void TrainConsole::onRunEnd(const RunEndEvent&) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (barShown_) std::fputs("\n", stderr);
  barShown_ = false;
}

namespace {
CancelToken* interruptTarget = nullptr;
volatile std::sig_atomic_t lastSignal = SIGINT;
struct sigaction previousInt, previousTerm;
void onInterrupt(int sig) {
  lastSignal = sig;
  if (interruptTarget) interruptTarget->cancel();
  const char msg[] = "\nvwb: stopping after this step and writing a checkpoint (Ctrl-C again to kill)\n";
  ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  std::signal(sig, SIG_DFL);
}
// A signal the caller set to be ignored stays ignored (a job started with `&` from a script, or
// under nohup, ignores SIGINT by convention): only a signal that would have ended vwb is turned
// into a stop with a checkpoint.
void route(int sig, struct sigaction* previous) {
  struct sigaction now {};
  sigaction(sig, nullptr, previous);
  if (previous->sa_handler == SIG_IGN) return;
  now.sa_handler = onInterrupt;
  sigemptyset(&now.sa_mask);
  now.sa_flags = SA_RESTART;
  sigaction(sig, &now, nullptr);
}
}  // namespace

int InterruptToCancel::exitCode() { return 128 + lastSignal; }

InterruptToCancel::InterruptToCancel(CancelToken& token) {
  interruptTarget = &token;
  route(SIGINT, &previousInt);
  route(SIGTERM, &previousTerm);
}

InterruptToCancel::~InterruptToCancel() {
  sigaction(SIGINT, &previousInt, nullptr);
  sigaction(SIGTERM, &previousTerm, nullptr);
  interruptTarget = nullptr;
}

}  // namespace vwb::cli
