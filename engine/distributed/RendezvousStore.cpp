#include "engine/distributed/detail/RendezvousStore.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "engine/core/Error.h"

namespace vwb::dist {
namespace {

constexpr char kGreeting[] = "VWB-RENDEZVOUS/1";
constexpr size_t kGreetingSize = sizeof kGreeting - 1;
constexpr uint32_t kMaxFields = 3;
constexpr uint32_t kMaxField = 256u << 20;
constexpr int kGreetingTimeoutMs = 5000;
enum Op : uint8_t { kSet = 1, kGet, kAdd, kCheck, kDelete, kCount, kCompareSet };

std::string errnoText() { return std::strerror(errno); }

// Whole reads and writes; false when the peer is gone (or the socket was shut down).
bool readAll(int fd, void* data, size_t size) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::recv(fd, p, size, 0);
    if (n < 0 && errno == EINTR) continue;
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

bool writeFrame(int fd, uint8_t head, const std::vector<std::string>& fields) {
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
  return writeAll(fd, out.data(), out.size());
}
bool readFrame(int fd, uint8_t& head, std::vector<std::string>& fields) {
  uint32_t count = 0;
  if (!readAll(fd, &head, 1) || !readAll(fd, &count, 4)) return false;
  count = ntohl(count);
  if (count > kMaxFields) return false;
  fields.assign(count, {});
  for (auto& f : fields) {
    uint32_t size = 0;
    if (!readAll(fd, &size, 4)) return false;
    size = ntohl(size);
    if (size > kMaxField) return false;
    f.resize(size);
    if (size > 0 && !readAll(fd, f.data(), size)) return false;
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

}  // namespace

// ---------------------------------------------------------------------------------------------

class RendezvousStore::Server {
 public:
  Server(const std::string& bindHost, int port, LogSink* log) : log_(log) {
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
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
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
    acceptor_ = std::thread([this] { acceptLoop(); });
  }

  ~Server() {
    stopping_ = true;
    const char byte = 0;
    ssize_t ignored = ::write(wake_[1], &byte, 1);
    (void)ignored;
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : clients_) ::shutdown(fd, SHUT_RDWR);  // ends their blocking reads
    }
    for (auto& t : threads_) t.join();
    ::close(listen_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  int refused() const { return refused_.load(); }

 private:
  void acceptLoop() {
    while (!stopping_) {
      pollfd fds[2] = {{listen_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents || stopping_) return;
      sockaddr_storage peer{};
      socklen_t size = sizeof peer;
      const int fd = ::accept4(listen_, reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      clients_.push_back(fd);
      threads_.emplace_back([this, fd, peer] { serve(fd, peerName(peer)); });
    }
  }

  void serve(int fd, const std::string& peer) {
    // The first message must be the greeting, and come soon: anything else is not one of ours.
    timeval limit{kGreetingTimeoutMs / 1000, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char greeting[kGreetingSize];
    if (!readAll(fd, greeting, kGreetingSize) || std::memcmp(greeting, kGreeting, kGreetingSize) != 0) {
      ++refused_;
      if (log_)
        log_->log(LogLevel::Warning, "rendezvous store: refused a connection from " + peer +
                                         ": its first message is not a vwb node's greeting");
    } else {
      timeval none{0, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (writeAll(fd, kGreeting, kGreetingSize)) {
        uint8_t op = 0;
        std::vector<std::string> fields;
        while (!stopping_ && readFrame(fd, op, fields)) {
          bool found = true;
          std::vector<std::string> answer;
          if (!handle(op, fields, found, answer) || !writeFrame(fd, found ? 0 : 1, answer)) break;
        }
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    clients_.remove(fd);
    ::close(fd);
  }

  // False for a malformed request (the connection is then closed).
  bool handle(uint8_t op, const std::vector<std::string>& f, bool& found, std::vector<std::string>& out) {
    std::lock_guard<std::mutex> lock(dataMutex_);
    auto need = [&](size_t n) { return f.size() == n; };
    switch (op) {
      case kSet:
        if (!need(2)) return false;
        data_[f[0]] = f[1];
        return true;
      case kGet: {
        if (!need(1)) return false;
        auto it = data_.find(f[0]);
        found = it != data_.end();
        if (found) out.push_back(it->second);
        return true;
      }
      case kAdd: {
        if (!need(2)) return false;
        int64_t value = 0;
        try {
          if (data_.count(f[0])) value = std::stoll(data_[f[0]]);
          value += std::stoll(f[1]);
        } catch (...) {
          return false;
        }
        data_[f[0]] = std::to_string(value);
        out.push_back(data_[f[0]]);
        return true;
      }
      case kCheck:
        if (!need(1)) return false;
        found = data_.count(f[0]) > 0;
        return true;
      case kDelete:
        if (!need(1)) return false;
        found = data_.erase(f[0]) > 0;
        return true;
      case kCount:
        out.push_back(std::to_string(data_.size()));
        return true;
      case kCompareSet: {  // c10d's semantics: set when absent and expected is empty, or equal
        if (!need(3)) return false;
        auto it = data_.find(f[0]);
        if (it == data_.end()) {
          if (f[1].empty()) data_[f[0]] = f[2];
          out.push_back(f[1].empty() ? f[2] : f[1]);
        } else {
          if (it->second == f[1]) it->second = f[2];
          out.push_back(it->second);
        }
        return true;
      }
      default:
        return false;
    }
  }

  LogSink* log_;
  int listen_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> refused_{0};
  std::thread acceptor_;
  std::mutex mutex_;  // clients_, threads_
  std::list<int> clients_;
  std::list<std::thread> threads_;
  std::mutex dataMutex_;
  std::map<std::string, std::string> data_;
};

// ---------------------------------------------------------------------------------------------

RendezvousStore::RendezvousStore(const std::string& host, int port, bool serve,
                                 const std::string& bindHost, std::chrono::milliseconds timeout,
                                 LogSink* log)
    : c10d::Store(timeout), where_(fmt::format("{}:{}", host, port)) {
  if (serve) server_ = std::make_unique<Server>(bindHost.empty() ? host : bindHost, port, log);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string problem;
  for (;;) {
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
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
    if (fd_ >= 0) break;
    if (std::chrono::steady_clock::now() > deadline)
      throw Error(fmt::format("no rendezvous store answers at {} ({}) within {} s: is node 0 "
                              "running with the same --master?", where_, problem, timeout.count() / 1000));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char answer[kGreetingSize];
  if (!writeAll(fd_, kGreeting, kGreetingSize) || !readAll(fd_, answer, kGreetingSize) ||
      std::memcmp(answer, kGreeting, kGreetingSize) != 0) {
    ::close(fd_);
    throw Error(fmt::format("what answers at {} is not a vwb rendezvous store (another program "
                            "uses that port?)", where_));
  }
}

RendezvousStore::~RendezvousStore() {
  if (fd_ >= 0) ::close(fd_);
  server_.reset();
}

int RendezvousStore::refusedConnections() const { return server_ ? server_->refused() : 0; }

RendezvousStore::Reply RendezvousStore::request(uint8_t op, const std::vector<std::string>& fields) {
  std::lock_guard<std::mutex> lock(mutex_);
  Reply reply;
  uint8_t status = 0;
  if (fd_ < 0 || !writeFrame(fd_, op, fields) || !readFrame(fd_, status, reply.fields)) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw Error(fmt::format("the connection to the rendezvous store at {} was closed (node 0 "
                            "stopped or is gone)", where_));
  }
  reply.found = status == 0;
  return reply;
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
  if (!r.found) throw Error(fmt::format("rendezvous store at {}: key '{}' vanished", where_, key));
  return asBytes(r.fields.at(0));
}

int64_t RendezvousStore::add(const std::string& key, int64_t value) {
  return std::stoll(request(kAdd, {key, std::to_string(value)}).fields.at(0));
}

bool RendezvousStore::deleteKey(const std::string& key) { return request(kDelete, {key}).found; }

bool RendezvousStore::check(const std::vector<std::string>& keys) {
  for (const auto& k : keys)
    if (!request(kCheck, {k}).found) return false;
  return true;
}

int64_t RendezvousStore::getNumKeys() { return std::stoll(request(kCount, {}).fields.at(0)); }

void RendezvousStore::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void RendezvousStore::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!check(keys)) {
    if (timeout != kNoTimeout && std::chrono::steady_clock::now() > deadline)
      throw Error(fmt::format("rendezvous store at {}: timed out after {} s waiting for {}", where_,
                              timeout.count() / 1000, keys.empty() ? std::string() : keys.front()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace vwb::dist
