#pragma once
// Who may use node 0's rendezvous store: the processes given the run's shared secret. Torch-free
// (the store itself is in detail/RendezvousStore.h); public so that tests can speak the handshake.
//
// Where the secret comes from, first found wins:
//   1. --rendezvous-secret-file PATH (the file's text, trailing whitespace dropped; at least 16
//      characters);
//   2. VWB_RENDEZVOUS_SECRET (the secret itself, at least 16 characters), or
//      VWB_RENDEZVOUS_SECRET_FILE (a file, as in 1);
//   3. the user's own secret file, $XDG_CONFIG_HOME/vesuvius-workbench/rendezvous-secret (else
//      ~/.config/...), made with 32 random bytes and mode 0600 when it does not exist yet. Nodes
//      that share a home directory (one machine, or a cluster's shared home) agree without any
//      step; other machines need that file copied, or one of the two above.
// Environment variables reach every process of a torchrun-style launch (torchrun, srun, mpirun
// pass the launcher's environment on), so `export VWB_RENDEZVOUS_SECRET=...` before the launcher
// is enough.
//
// Handshake (the secret never crosses the wire): the node sends the 16-byte greeting; the store
// answers with it and a fresh 32-byte nonce Ns (a stranger that does not greet hears nothing);
// the node sends its own nonce Nc and HMAC-SHA256(secret, "vwb-rendezvous-node" Ns Nc); the
// store answers 'K' and
// HMAC-SHA256(secret, "vwb-rendezvous-store" Ns Nc) (so the node knows the store is the run's),
// or 'R' and closes. Fresh nonces on both sides: a recorded proof is worth nothing later.
#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace vwb::dist {

struct RendezvousSecret {
  std::string bytes;
  std::string source;  // for messages: "VWB_RENDEZVOUS_SECRET", "file /path", ...
};

using SecretEnv = std::function<const char*(const char*)>;

// The secret per the order above. `secretFile`: the --rendezvous-secret-file value (may be empty).
// Throws vwb::Error naming the variable or file and the problem (unreadable, too short).
RendezvousSecret resolveRendezvousSecret(const std::string& secretFile, const SecretEnv& env);

// Where rule 3 keeps the per-user secret ("" when neither XDG_CONFIG_HOME nor HOME is set).
std::string defaultRendezvousSecretPath(const SecretEnv& env);

namespace handshake {

constexpr char kGreeting[] = "VWB-RENDEZVOUS/2";
constexpr size_t kGreetingSize = sizeof kGreeting - 1;
constexpr size_t kNonceSize = 32, kProofSize = 32;
constexpr char kAccepted = 'K', kRefused = 'R';
// All the node sends in the handshake: greeting, its nonce, its proof.
constexpr size_t kNodeHelloSize = kGreetingSize + kNonceSize + kProofSize;

using Nonce = std::array<uint8_t, kNonceSize>;
using Proof = std::array<uint8_t, kProofSize>;

enum class Role { Node, Store };

Nonce freshNonce();  // getrandom(2); throws vwb::Error when the kernel has none to give
Proof proof(const std::string& secret, Role role, const Nonce& storeNonce, const Nonce& nodeNonce);
bool sameProof(const Proof& a, const uint8_t* b);  // constant time

}  // namespace handshake
}  // namespace vwb::dist
