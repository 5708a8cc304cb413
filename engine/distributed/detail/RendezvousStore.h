#pragma once
// Private (torch): the key-value store in which the nodes of a multi-node run meet (a c10d::Store,
// what ProcessGroupGloo/NCCL take). LibTorch 1.13's c10d::TCPStore cannot be told which address
// to listen on: it binds every interface, IPv4 and IPv6 ("*:29517"), and serves any client that
// speaks its protocol. This store listens on exactly one address (the --master host, or --bind),
// and a connection whose first message is not a vwb node's greeting is closed unanswered.
//
// Protocol (one TCP connection per process, requests answered in order): the client sends the
// 16-byte greeting "VWB-RENDEZVOUS/1", the server answers with it. Then frames of
// u8 op, u32 field count (<= 3), per field u32 length (<= 256 MiB) + bytes; the answer is
// u8 status (0 ok, 1 no such key), u32 count, fields. Waiting is done by the client (check, then
// sleep a few ms), so that no request blocks the connection its process's rank threads share.
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "engine/core/Reporting.h"

namespace vwb::dist {

class RendezvousStore : public c10d::Store {
 public:
  // `serve`: this process hosts the store, listening on `bindHost` (empty: `host`) at `port`.
  // Every process, the host included, then connects to host:port, retrying until `timeout`.
  // `log` (may be null) hears about refused connections.
  RendezvousStore(const std::string& host, int port, bool serve, const std::string& bindHost,
                  std::chrono::milliseconds timeout, LogSink* log = nullptr);
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

  // Connections the server closed because their first message was not the greeting.
  int refusedConnections() const;

 private:
  class Server;
  struct Reply {
    bool found = false;
    std::vector<std::string> fields;
  };
  Reply request(uint8_t op, const std::vector<std::string>& fields);

  std::unique_ptr<Server> server_;
  std::string where_;  // "host:port" for messages
  std::mutex mutex_;   // one request at a time on the connection
  int fd_ = -1;
};

}  // namespace vwb::dist
