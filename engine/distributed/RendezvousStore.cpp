#include "engine/distributed/detail/RendezvousStore.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"
#include "engine/distributed/RendezvousAuth.h"
#include "engine/distributed/detail/RendezvousServer.h"
#include "engine/distributed/detail/RendezvousWire.h"

namespace vwb::dist {
namespace {
using Clock = std::chrono::steady_clock;
namespace hs = handshake;
using namespace wire;
}  // namespace

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
  if (serve) server_ = RendezvousServer::start(bindHost.empty() ? host : bindHost, port, secret_, log, limits);
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
