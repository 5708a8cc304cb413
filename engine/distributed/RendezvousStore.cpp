#include "engine/distributed/detail/RendezvousStore.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <list>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/RendezvousAuth.h"

namespace vwb::dist {
namespace {

using Clock = std::chrono::steady_clock;
namespace hs = handshake;

constexpr uint32_t kMaxFields = 3;
constexpr size_t kHeaderSize = 5;        // op + field count
constexpr size_t kReadChunk = 64 << 10;  // bytes read per step: buffers grow only by what arrived
enum Op : uint8_t { kSet = 1, kGet, kAdd, kCheck, kDelete, kCount, kCompareSet };
enum Status : uint8_t { kOk = 0, kNotFound = 1, kRefusedRequest = 2 };

std::string errnoText(int e = errno) { return std::strerror(e); }

uint32_t be32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}

std::string encodeFrame(uint8_t head, const std::vector<std::string>& fields) {
  std::string out(1, char(head));
  auto u32 = [&](uint32_t v) {
    v = htonl(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
  };
  u32(uint32_t(fields.size()));
  for (const auto& f : fields) {
    u32(uint32_t(f.size()));
    out += f;
  }
  return out;
}

// A frame at the front of `in`: Incomplete until all its bytes are there; Bad as soon as its
// header declares more than `maxFrame` bytes (before they arrive). Sizes are checked against
// what remains of the cap, so no sum can wrap.
enum class Parse { Incomplete, Bad, Done };
Parse parseFrame(const std::string& in, size_t maxFrame, uint8_t& op, std::vector<std::string>& fields,
                 size_t& used, std::string& why) {
  if (in.size() < kHeaderSize) return Parse::Incomplete;
  const uint32_t count = be32(in.data() + 1);
  if (count > kMaxFields) {
    why = fmt::format("a request of {} fields (at most {})", count, kMaxFields);
    return Parse::Bad;
  }
  size_t pos = kHeaderSize, left = maxFrame;
  for (uint32_t i = 0; i < count; ++i) {
    if (in.size() - pos < 4) return Parse::Incomplete;
    const uint32_t n = be32(in.data() + pos);
    pos += 4;
    if (n > left) {
      why = fmt::format("a request of more than {} bytes", maxFrame);
      return Parse::Bad;
    }
    left -= n;
    if (in.size() - pos < n) return Parse::Incomplete;
    pos += n;
  }
  op = uint8_t(in[0]);
  fields.clear();
  pos = kHeaderSize;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t n = be32(in.data() + pos);
    fields.emplace_back(in, pos + 4, n);
    pos += 4 + n;
  }
  used = pos;
  return Parse::Done;
}

// Blocking whole reads and writes for the client; false when the peer is gone or silent past
// the socket's receive timeout (errno says which).
bool readAll(int fd, void* data, size_t size) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::recv(fd, p, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ECONNRESET;
    if (n <= 0) return false;
    p += n;
    size -= size_t(n);
  }
  return true;
}
bool writeAll(int fd, const void* data, size_t size) {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= size_t(n);
  }
  return true;
}
// The client's read of an answer: capped like requests, grown as bytes arrive.
bool readFrame(int fd, size_t maxFrame, uint8_t& head, std::vector<std::string>& fields, bool& nothingRead) {
  nothingRead = true;
  char header[kHeaderSize];
  if (!readAll(fd, header, 1)) return false;
  nothingRead = false;
  if (!readAll(fd, header + 1, 4)) return false;
  head = uint8_t(header[0]);
  const uint32_t count = be32(header + 1);
  if (count > kMaxFields) return false;
  fields.assign(count, {});
  size_t left = maxFrame;
  for (auto& f : fields) {
    char sizeBytes[4];
    if (!readAll(fd, sizeBytes, 4)) return false;
    const uint32_t size = be32(sizeBytes);
    if (size > left) return false;
    left -= size;
    while (f.size() < size) {
      const size_t step = std::min<size_t>(size - f.size(), kReadChunk);
      const size_t at = f.size();
      f.resize(at + step);
      if (!readAll(fd, f.data() + at, step)) return false;
    }
  }
  return true;
}

std::string peerName(const sockaddr_storage& a) {
  char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
  ::getnameinfo(reinterpret_cast<const sockaddr*>(&a), sizeof a, host, sizeof host, port, sizeof port,
                NI_NUMERICHOST | NI_NUMERICSERV);
  return std::string(host) + ":" + port;
}

std::string asText(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }
std::vector<uint8_t> asBytes(const std::string& s) { return {s.begin(), s.end()}; }

// Whole-text int64, or false (no partial parses, no exceptions).
bool parseInt64(const std::string& text, int64_t& v) {
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  return r.ec == std::errc() && r.ptr == end && !text.empty();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

// One thread polls every connection; each connection is a small state machine with a deadline.
class RendezvousStore::Server {
 public:
  Server(const std::string& bindHost, int port, const std::string& secret, LogSink* log, StoreLimits limits)
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

  ~Server() {
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

  int refused() const { return refused_.load(); }
  int nodes() const { return nodesNow_.load(); }

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

// ---------------------------------------------------------------------------------------------

RendezvousStore::RendezvousStore(const std::string& host, int port, bool serve,
                                 const std::string& bindHost, std::chrono::milliseconds timeout,
                                 const std::string& secret, const std::string& secretSource,
                                 LogSink* log, StoreLimits limits)
    : c10d::Store(timeout),
      host_(host),
      service_(std::to_string(port)),
      where_(fmt::format("{}:{}", host, port)),
      secret_(secret),
      secretSource_(secretSource),
      ioTimeout_(timeout),
      maxFrame_(limits.maxFrame) {
  if (secret_.empty()) throw Error("the rendezvous store needs a secret (RendezvousAuth.h)");
  if (serve) server_ = std::make_unique<Server>(bindHost.empty() ? host : bindHost, port, secret_, log, limits);
  std::lock_guard<std::mutex> lock(mutex_);
  connect(Clock::now() + timeout);
}

// Connects and proves the secret, retrying refused connections and handshakes the store dropped
// unanswered (node 0 not up yet, or its handshake slots busy) until `deadline`.
void RendezvousStore::connect(Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  std::string problem;
  for (;;) {
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host_.c_str(), service_.c_str(), &hints, &found); rc != 0) {
      problem = ::gai_strerror(rc);
    } else {
      for (addrinfo* a = found; a && fd_ < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
          fd_ = fd;
        } else {
          problem = errnoText();
          ::close(fd);
        }
      }
      ::freeaddrinfo(found);
    }
    if (fd_ >= 0) {
      const int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      // A store that stops answering ends a read after the run's timeout instead of never.
      const auto ms = ioTimeout_.count();
      timeval limit{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      char greeting[hs::kGreetingSize + hs::kNonceSize];
      const bool greeted = writeAll(fd_, hs::kGreeting, hs::kGreetingSize) &&
                           readAll(fd_, greeting, sizeof greeting);
      if (greeted && std::memcmp(greeting, hs::kGreeting, hs::kGreetingSize) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw Error(fmt::format("what answers at {} is not a vwb rendezvous store (another program, or "
                                "a vwb older than this one, uses that port?)", where_));
      }
      if (greeted) {
        hs::Nonce storeNonce, mine = hs::freshNonce();
        std::memcpy(storeNonce.data(), greeting + hs::kGreetingSize, storeNonce.size());
        const hs::Proof p = hs::proof(secret_, hs::Role::Node, storeNonce, mine);
        std::string hello(reinterpret_cast<const char*>(mine.data()), mine.size());
        hello.append(reinterpret_cast<const char*>(p.data()), p.size());
        char verdict[1 + hs::kProofSize];
        if (writeAll(fd_, hello.data(), hello.size()) && readAll(fd_, verdict, 1)) {
          if (verdict[0] == hs::kRefused) {
            ::close(fd_);
            fd_ = -1;
            throw Error(fmt::format(
                "node 0's rendezvous store at {} refused this node: it does not share the run's secret "
                "(this node's is from {}). Give every node the same secret: VWB_RENDEZVOUS_SECRET, or "
                "--rendezvous-secret-file with the same file", where_, secretSource_));
          }
          if (verdict[0] == hs::kAccepted && readAll(fd_, verdict + 1, hs::kProofSize)) {
            if (hs::sameProof(hs::proof(secret_, hs::Role::Store, storeNonce, mine),
                              reinterpret_cast<const uint8_t*>(verdict + 1)))
              return;
            ::close(fd_);
            fd_ = -1;
            throw Error(fmt::format("the rendezvous store at {} does not know this run's secret "
                                    "(this node's is from {}): another run's node 0 on that port?",
                                    where_, secretSource_));
          }
        }
      }
      problem = "the store closed the connection during the handshake";
      ::close(fd_);
      fd_ = -1;
    }
    if (Clock::now() > deadline)
      throw Error(fmt::format("no rendezvous store answers at {} ({}) within {} s: is node 0 "
                              "running with the same --master?", where_, problem, ioTimeout_.count() / 1000));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

RendezvousStore::~RendezvousStore() {
  if (fd_ >= 0) ::close(fd_);
  server_.reset();
}

int RendezvousStore::refusedConnections() const { return server_ ? server_->refused() : 0; }
int RendezvousStore::connectedNodes() const { return server_ ? server_->nodes() : 0; }

RendezvousStore::Reply RendezvousStore::request(uint8_t op, const std::vector<std::string>& fields) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string frame = encodeFrame(op, fields);
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0) connect(Clock::now() + std::chrono::seconds(5));
    Reply reply;
    uint8_t status = 0;
    bool nothingRead = true;
    if (writeAll(fd_, frame.data(), frame.size()) &&
        readFrame(fd_, maxFrame_, status, reply.fields, nothingRead)) {
      if (status == kRefusedRequest)
        throw Error(fmt::format("the rendezvous store at {} refused a request: {}", where_,
                                reply.fields.empty() ? std::string("?") : reply.fields.front()));
      reply.status = status;
      return reply;
    }
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    // The store closes a node's idle connection only when it has read nothing of it: a request
    // that met a closed connection before any answer was never read, so sending it again is safe.
    const bool closedUnread = nothingRead && (e == ECONNRESET || e == EPIPE);
    if (!(closedUnread && attempt == 0))
      throw Error(fmt::format("the connection to the rendezvous store at {} was closed (node 0 "
                              "stopped or is gone: {})", where_, errnoText(e)));
  }
}

void RendezvousStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  request(kSet, {key, asText(value)});
}

std::vector<uint8_t> RendezvousStore::compareSet(const std::string& key, const std::vector<uint8_t>& expected,
                                                 const std::vector<uint8_t>& desired) {
  return asBytes(request(kCompareSet, {key, asText(expected), asText(desired)}).fields.at(0));
}

std::vector<uint8_t> RendezvousStore::get(const std::string& key) {
  wait({key}, timeout_);
  Reply r = request(kGet, {key});
  if (r.status != kOk) throw Error(fmt::format("rendezvous store at {}: key '{}' vanished", where_, key));
  return asBytes(r.fields.at(0));
}

int64_t RendezvousStore::add(const std::string& key, int64_t value) {
  int64_t sum = 0;
  if (!parseInt64(request(kAdd, {key, std::to_string(value)}).fields.at(0), sum))
    throw Error(fmt::format("rendezvous store at {}: add on '{}' answered no integer", where_, key));
  return sum;
}

bool RendezvousStore::deleteKey(const std::string& key) { return request(kDelete, {key}).status == kOk; }

bool RendezvousStore::check(const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (request(kCheck, {k}).status != kOk) return false;
  return true;
}

int64_t RendezvousStore::getNumKeys() {
  int64_t n = 0;
  parseInt64(request(kCount, {}).fields.at(0), n);
  return n;
}

void RendezvousStore::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void RendezvousStore::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!check(keys)) {
    if (timeout != kNoTimeout && Clock::now() > deadline)
      throw Error(fmt::format("rendezvous store at {}: timed out after {} s waiting for {}", where_,
                              timeout.count() / 1000, keys.empty() ? std::string() : keys.front()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace vwb::dist
