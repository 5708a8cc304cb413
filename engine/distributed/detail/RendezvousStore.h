#pragma once
// Private (torch): the key-value store in which the nodes of a multi-node run meet (a c10d::Store,
// what ProcessGroupGloo/NCCL take). LibTorch 1.13's c10d::TCPStore cannot be told which address
// to listen on: it binds every interface, IPv4 and IPv6 ("*:29517"), and serves any client that
// speaks its protocol. This store listens on exactly one address (the --master host, or --bind)
// and serves only the processes that prove they hold the run's secret (RendezvousAuth.h: the
// handshake, and where the secret comes from).
//
// Three files: the wire format (RendezvousWire.h: frames of u8 op, u32 field count, fields; the
// answer's status), the server (RendezvousServer.h) and this client. Waiting is done by the client
// (check, then sleep a few ms), so that no request blocks the connection its process's rank
// threads share.
//
// What a stranger who reaches the port can cost node 0 (README, "Threat model"): one of
// `maxPending` handshake slots for at most `handshake` (a new connection drops the oldest), and
// at most a handshake's bytes of memory. One thread serves every connection (poll); nothing is
// allocated beyond the bytes received, and a frame larger than the cap closes the connection
// before its bytes arrive. A node's connection silent for `idle` is closed; the node reconnects
// on its next request (never resending a request the store has read).
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "engine/core/Reporting.h"
#include "engine/distributed/detail/RendezvousServer.h"

namespace vwb::dist {

class RendezvousStore : public c10d::Store {
 public:
  // `serve`: this process hosts the store, listening on `bindHost` (empty: `host`) at `port`.
  // Every process, the host included, then connects to host:port, retrying until `timeout`, and
  // proves it holds `secret` (`secretSource` names where it came from, for messages).
  // `log` (may be null) hears about refused connections.
  RendezvousStore(const std::string& host, int port, bool serve, const std::string& bindHost,
                  std::chrono::milliseconds timeout, const std::string& secret,
                  const std::string& secretSource, LogSink* log = nullptr, StoreLimits limits = {});
  ~RendezvousStore() override;

  void set(const std::string& key, const std::vector<uint8_t>& value) override;
  std::vector<uint8_t> compareSet(const std::string& key, const std::vector<uint8_t>& expected,
                                  const std::vector<uint8_t>& desired) override;
  std::vector<uint8_t> get(const std::string& key) override;  // waits for the key (timeout)
  int64_t add(const std::string& key, int64_t value) override;
  bool deleteKey(const std::string& key) override;
  bool check(const std::vector<std::string>& keys) override;
  int64_t getNumKeys() override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;

  // Connections the server closed before or at the handshake (no greeting, wrong secret, too
  // slow, slots full) or for a malformed or oversized request.
  int refusedConnections() const;
  // Connections past the handshake the server holds now (this process's own included).
  int connectedNodes() const;

 private:
  struct Reply {
    int status = 0;
    std::vector<std::string> fields;
  };
  Reply request(uint8_t op, const std::vector<std::string>& fields);
  void connect(std::chrono::steady_clock::time_point deadline);

  std::unique_ptr<RendezvousServer> server_;  // node 0 (RendezvousServer.h)
  std::string host_, service_;
  std::string where_;  // "host:port" for messages
  std::string secret_, secretSource_;
  std::chrono::milliseconds ioTimeout_;
  size_t maxFrame_;
  std::mutex mutex_;   // one request at a time on the connection
  int fd_ = -1;
};

}  // namespace vwb::dist
