#include "engine/distributed/detail/RendezvousServer.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <list>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/RendezvousAuth.h"
#include "engine/distributed/detail/RendezvousWire.h"

namespace vwb::dist {
namespace {

using Clock = std::chrono::steady_clock;
namespace hs = handshake;
using namespace wire;

// One thread polls every connection; each connection is a small state machine with a deadline.
class PollServer final : public RendezvousServer {
 public:
  PollServer(const std::string& bindHost, int port, const std::string& secret, LogSink* log, StoreLimits limits)
      : secret_(secret), log_(log), limits_(limits) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(bindHost.c_str(), service.c_str(), &hints, &found); rc != 0)
      throw Error(fmt::format("the rendezvous store cannot listen on {}:{}: {}", bindHost, port,
                              ::gai_strerror(rc)));
    std::string problem = "no address";
    for (addrinfo* a = found; a && listen_ < 0; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) continue;
      const int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 64) == 0) {
        listen_ = fd;
      } else {
        problem = errnoText();
        ::close(fd);
      }
    }
    ::freeaddrinfo(found);
    if (listen_ < 0)
      throw Error(fmt::format("the rendezvous store cannot listen on {}:{}: {}", bindHost, port, problem));
    if (::pipe2(wake_, O_CLOEXEC) != 0) {
      ::close(listen_);
      throw Error("the rendezvous store cannot create its wake-up pipe: " + errnoText());
    }
    thread_ = std::thread([this] { loop(); });
  }

  ~PollServer() override {
    stopping_ = true;
    const char byte = 0;
    ssize_t ignored = ::write(wake_[1], &byte, 1);
    (void)ignored;
    thread_.join();
    for (auto& c : conns_) ::close(c.fd);
    ::close(listen_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  int refused() const override { return refused_.load(); }
  int nodes() const override { return nodesNow_.load(); }

 private:
  struct Conn {
    int fd = -1;
    std::string peer;
    bool greeted = false;  // the node's greeting came, ours and the nonce went out
    bool ready = false;    // past the handshake
    hs::Nonce nonce{};
    std::string in, out;
    size_t outAt = 0;
    Clock::time_point since;  // accept, the frame's first byte, or the last byte moved
    bool closeAfterWrite = false;
    bool dead = false;
  };

  Clock::time_point deadlineOf(const Conn& c) const {
    if (!c.ready) return c.since + limits_.handshake;
    if (c.in.empty() && c.out.empty()) return c.since + limits_.idle;
    return c.since + limits_.frame;
  }

  // Logged one by one for the first few of each reason, then every hundredth: a flood must not
  // flood the log, nor hide a refusal of another kind (a node with the wrong secret).
  void refuse(Conn& c, const std::string& why) {
    ++refused_;
    const int n = ++refusedFor_[why];
    if (log_ && (n <= 5 || n % 100 == 0))
      log_->log(LogLevel::Warning, fmt::format("rendezvous store: refused a connection from {}: {}{}", c.peer,
                                               why, n > 5 ? fmt::format(" ({} so far)", n) : ""));
    c.dead = true;
  }

  void loop() {
    std::vector<pollfd> fds;
    while (!stopping_) {
      fds.clear();
      fds.push_back({listen_, POLLIN, 0});
      fds.push_back({wake_[0], POLLIN, 0});
      auto next = Clock::time_point::max();
      for (auto& c : conns_) {
        short events = 0;
        if (c.out.empty() && !c.closeAfterWrite) events |= POLLIN;  // answers drain before more requests
        if (!c.out.empty()) events |= POLLOUT;
        fds.push_back({c.fd, events, 0});
        next = std::min(next, deadlineOf(c));
      }
      int waitMs = -1;
      if (next != Clock::time_point::max()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
        waitMs = int(std::clamp<int64_t>(left + 1, 0, 60000));
      }
      if (::poll(fds.data(), fds.size(), waitMs) < 0 && errno != EINTR) return;
      if (fds[1].revents || stopping_) return;
      size_t i = 2;
      for (auto& c : conns_) {
        const short ev = fds[i++].revents;
        if (ev & (POLLERR | POLLHUP | POLLNVAL)) c.dead = !(ev & POLLIN) || c.dead;
        if (!c.dead && (ev & POLLOUT)) flush(c);
        if (!c.dead && (ev & POLLIN)) receive(c);
      }
      const auto now = Clock::now();
      for (auto& c : conns_)
        if (!c.dead && now > deadlineOf(c)) {
          if (!c.ready) refuse(c, fmt::format("no handshake within {} s", limits_.handshake.count() / 1000.0));
          else if (c.in.empty() && c.out.empty()) c.dead = true;  // idle: the node reconnects when it needs to
          else refuse(c, fmt::format("a request or answer took longer than {} s", limits_.frame.count() / 1000.0));
        }
      for (auto it = conns_.begin(); it != conns_.end();) {
        if (it->dead) {
          ::close(it->fd);
          (it->ready ? nodes_ : pending_)--;
          it = conns_.erase(it);
        } else {
          ++it;
        }
      }
      nodesNow_ = int(nodes_);
      if (fds[0].revents & POLLIN) acceptAll();
    }
  }

  void acceptAll() {
    for (;;) {
      sockaddr_storage peer{};
      socklen_t size = sizeof peer;
      const int fd = ::accept4(listen_, reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) return;  // EAGAIN: all taken; EMFILE and the like: retried on the next wake-up
      Conn c;
      c.fd = fd;
      c.peer = peerName(peer);
      c.since = Clock::now();
      if (nodes_ + pending_ >= limits_.maxNodes + limits_.maxPending) {
        refuse(c, "too many connections");
        ::close(fd);
        continue;
      }
      if (pending_ >= limits_.maxPending) {  // the oldest stranger makes room for the newcomer
        for (auto& old : conns_)
          if (!old.ready && !old.dead) {
            refuse(old, "its handshake slot went to a newer connection (too many at once)");
            ::close(old.fd);
            old.fd = -1;
            break;
          }
        conns_.remove_if([&](const Conn& x) {
          if (x.fd >= 0) return false;
          --pending_;
          return true;
        });
      }
      try {
        c.nonce = hs::freshNonce();
      } catch (const std::exception& e) {
        refuse(c, e.what());
        ::close(fd);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++pending_;
      conns_.push_back(std::move(c));
    }
  }

  void flush(Conn& c) {
    while (c.outAt < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.outAt, c.out.size() - c.outAt, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        c.dead = true;
        return;
      }
      c.outAt += size_t(n);
      if (c.ready) c.since = Clock::now();
    }
    c.out.clear();
    c.outAt = 0;
    if (c.closeAfterWrite) c.dead = true;
  }

  void receive(Conn& c) {
    // Never more than the step needs: the handshake's bytes, or one chunk of a frame.
    const size_t want = c.ready ? kReadChunk : hs::kNodeHelloSize - c.in.size();
    char buffer[kReadChunk];
    const ssize_t n = ::recv(c.fd, buffer, want, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      if (!c.ready && n == 0 && c.in.size() < hs::kGreetingSize)
        refuse(c, "it closed before greeting like a vwb node");
      c.dead = true;
      return;
    }
    // A frame's clock starts at its first byte; the handshake's at accept (bytes never extend it).
    if (c.ready && c.in.empty()) c.since = Clock::now();
    c.in.append(buffer, size_t(n));
    if (!c.ready) return handshake(c);
    if (c.in.size() > limits_.maxFrame + kHeaderSize + 4 * kMaxFields + kReadChunk)
      return refuse(c, "it sent more than a request without waiting for answers");
    for (;;) {
      uint8_t op = 0;
      std::vector<std::string> fields;
      size_t used = 0;
      std::string why;
      const Parse p = parseFrame(c.in, limits_.maxFrame, op, fields, used, why);
      if (p == Parse::Bad) return refuse(c, why);
      if (p == Parse::Incomplete) return;
      c.in.erase(0, used);
      c.since = Clock::now();
      std::vector<std::string> answer;
      const Status status = handle(op, fields, answer, why);
      if (!why.empty() && status != kRefusedRequest) return refuse(c, why);
      c.out += encodeFrame(status, answer);
      flush(c);
      if (c.dead || !c.out.empty()) return;
    }
  }

  void handshake(Conn& c) {
    if (c.in.size() < hs::kGreetingSize) return;
    if (std::memcmp(c.in.data(), hs::kGreeting, hs::kGreetingSize) != 0)
      return refuse(c, "its first message is not a vwb node's greeting");
    if (!c.greeted) {  // a stranger that does not greet hears nothing at all
      c.greeted = true;
      c.out.assign(hs::kGreeting, hs::kGreetingSize);
      c.out.append(reinterpret_cast<const char*>(c.nonce.data()), c.nonce.size());
      flush(c);
    }
    if (c.in.size() < hs::kNodeHelloSize) return;
    hs::Nonce theirs;
    std::memcpy(theirs.data(), c.in.data() + hs::kGreetingSize, theirs.size());
    const auto* proof = reinterpret_cast<const uint8_t*>(c.in.data() + hs::kGreetingSize + hs::kNonceSize);
    c.in.clear();
    if (!hs::sameProof(hs::proof(secret_, hs::Role::Node, c.nonce, theirs), proof)) {
      refuse(c, "it does not know the run's rendezvous secret");
      c.dead = false;  // say so, then close: the node names the cause instead of "connection closed"
      c.out.assign(1, hs::kRefused);
      c.closeAfterWrite = true;
      flush(c);
      return;
    }
    if (nodes_ >= limits_.maxNodes) {
      refuse(c, fmt::format("more than {} nodes", limits_.maxNodes));
      return;
    }
    const hs::Proof mine = hs::proof(secret_, hs::Role::Store, c.nonce, theirs);
    c.out.assign(1, hs::kAccepted);
    c.out.append(reinterpret_cast<const char*>(mine.data()), mine.size());
    c.ready = true;
    --pending_;
    ++nodes_;
    nodesNow_ = int(nodes_);
    c.since = Clock::now();
    flush(c);
  }

  // The answer's status; `why` non-empty with another status: malformed (the connection closes).
  Status handle(uint8_t op, const std::vector<std::string>& f, std::vector<std::string>& out, std::string& why) {
    auto need = [&](size_t n) {
      if (f.size() != n) why = fmt::format("request {} with {} fields", int(op), f.size());
      return f.size() == n;
    };
    // What storing `value` under `key` adds to the bytes held (may be negative), bounded.
    auto fits = [&](const std::string& key, const std::string& value) {
      auto it = data_.find(key);
      const size_t before = it == data_.end() ? 0 : key.size() + it->second.size();
      if (held_ - before + key.size() + value.size() <= limits_.maxHeld) return true;
      why = fmt::format("the store holds at most {} bytes", limits_.maxHeld);
      out = {why};
      return false;
    };
    auto put = [&](const std::string& key, const std::string& value) {
      auto it = data_.find(key);
      if (it != data_.end()) held_ -= key.size() + it->second.size();
      held_ += key.size() + value.size();
      data_[key] = value;
    };
    switch (op) {
      case kSet:
        if (!need(2)) return kOk;
        if (!fits(f[0], f[1])) return kRefusedRequest;
        put(f[0], f[1]);
        return kOk;
      case kGet: {
        if (!need(1)) return kOk;
        auto it = data_.find(f[0]);
        if (it == data_.end()) return kNotFound;
        out.push_back(it->second);
        return kOk;
      }
      case kAdd: {
        if (!need(2)) return kOk;
        int64_t value = 0, delta = 0;
        auto it = data_.find(f[0]);
        if (!parseInt64(f[1], delta) || (it != data_.end() && !parseInt64(it->second, value))) {
          why = fmt::format("add on '{}': not an integer", f[0]);
          out = {why};
          return kRefusedRequest;
        }
        if (__builtin_add_overflow(value, delta, &value)) {
          why = fmt::format("add on '{}': the sum leaves the 64-bit range", f[0]);
          out = {why};
          return kRefusedRequest;
        }
        const std::string text = std::to_string(value);
        if (!fits(f[0], text)) return kRefusedRequest;
        put(f[0], text);
        out.push_back(text);
        return kOk;
      }
      case kCheck:
        if (!need(1)) return kOk;
        return data_.count(f[0]) ? kOk : kNotFound;
      case kDelete: {
        if (!need(1)) return kOk;
        auto it = data_.find(f[0]);
        if (it == data_.end()) return kNotFound;
        held_ -= it->first.size() + it->second.size();
        data_.erase(it);
        return kOk;
      }
      case kCount:
        out.push_back(std::to_string(data_.size()));
        return kOk;
      case kCompareSet: {  // c10d's semantics: set when absent and expected is empty, or equal
        if (!need(3)) return kOk;
        auto it = data_.find(f[0]);
        const bool swap = it == data_.end() ? f[1].empty() : it->second == f[1];
        if (swap) {
          if (!fits(f[0], f[2])) return kRefusedRequest;
          put(f[0], f[2]);
          out.push_back(f[2]);
        } else {
          out.push_back(it == data_.end() ? f[1] : it->second);
        }
        return kOk;
      }
      default:
        why = fmt::format("unknown request {}", int(op));
        return kOk;
    }
  }

  const std::string secret_;
  LogSink* log_;
  const StoreLimits limits_;
  int listen_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> refused_{0};
  std::atomic<int> nodesNow_{0};  // nodes_, for other threads
  std::thread thread_;
  // The loop thread's own: no locks.
  std::list<Conn> conns_;
  size_t pending_ = 0, nodes_ = 0;
  std::map<std::string, int> refusedFor_;  // by reason
  std::map<std::string, std::string> data_;
  size_t held_ = 0;
};

}  // namespace

std::unique_ptr<RendezvousServer> RendezvousServer::start(const std::string& bindHost, int port,
                                                          const std::string& secret, LogSink* log,
                                                          StoreLimits limits) {
  return std::make_unique<PollServer>(bindHost, port, secret, log, limits);
}

}  // namespace vwb::dist
