#pragma once
// The serving side of the rendezvous store (private to engine/distributed; torch-free): node 0
// listens on one address and serves the key-value requests of the processes that prove the run's
// secret (RendezvousAuth.h). One thread polls every connection; each connection is a small state
// machine with a deadline. What a stranger who reaches the port can cost is in RendezvousStore.h.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "engine/core/Reporting.h"

namespace vwb::dist {

struct StoreLimits {
  std::chrono::milliseconds handshake{5000};  // from accept to the node's proof
  std::chrono::milliseconds frame{30000};     // a request, once begun, arrives within; an answer drains within
  std::chrono::milliseconds idle{10 * 60 * 1000};  // a node's connection silent this long is closed
  size_t maxNodes = 256;          // connections past the handshake at once (one per process)
  size_t maxPending = 16;         // connections still in the handshake; a new one drops the oldest
  size_t maxFrame = 4u << 20;     // bytes of one request's fields together (Gloo's largest: KBs)
  size_t maxHeld = 64u << 20;     // bytes of keys and values the store holds
};

class RendezvousServer {
 public:
  // Listens on bindHost:port and serves until destroyed; throws vwb::Error when it cannot listen.
  static std::unique_ptr<RendezvousServer> start(const std::string& bindHost, int port, const std::string& secret,
                                                 LogSink* log, StoreLimits limits);
  virtual ~RendezvousServer() = default;
  // Connections closed before or at the handshake, or for a malformed or oversized request.
  virtual int refused() const = 0;
  // Connections past the handshake now.
  virtual int nodes() const = 0;
};

}  // namespace vwb::dist
