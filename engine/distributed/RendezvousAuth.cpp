#include "engine/distributed/RendezvousAuth.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "engine/core/Error.h"

namespace vwb::dist {
namespace {

constexpr size_t kMinSecret = 16;
constexpr char kSecretVar[] = "VWB_RENDEZVOUS_SECRET";
constexpr char kSecretFileVar[] = "VWB_RENDEZVOUS_SECRET_FILE";

std::string envText(const SecretEnv& env, const char* name) {
  const char* v = env(name);
  return v ? std::string(v) : std::string();
}

std::string trimmedEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.pop_back();
  return s;
}

std::string readSecretFile(const std::string& path, const std::string& how) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw fileError(path, fmt::format("cannot read the rendezvous secret ({}): {}", how, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = trimmedEnd(text.str());
  if (secret.size() < kMinSecret)
    throw fileError(path, fmt::format("the rendezvous secret ({}) has {} characters; it needs at least {}",
                                      how, secret.size(), kMinSecret));
  return secret;
}

std::string hex(const uint8_t* p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", p[i]);
  return out;
}

// Makes the per-user secret when it is missing. Written to a private temporary file, then
// linked into place: two nodes starting at once on one machine end with the same secret (the
// second link fails with EEXIST and that node reads the first one's file).
void makeDefaultSecret(const std::string& path) {
  const std::string dir = path.substr(0, path.rfind('/'));
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);  // ours: private
  if (ec) throw fileError(dir, "cannot make the folder for the rendezvous secret: " + ec.message());
  const std::string tmp = fmt::format("{}.{}.tmp", path, ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw fileError(tmp, std::string("cannot write the rendezvous secret: ") + std::strerror(errno));
  const auto bytes = handshake::freshNonce();
  const std::string text = hex(bytes.data(), bytes.size()) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  const int writeErrno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    throw fileError(tmp, std::string("cannot write the rendezvous secret: ") + std::strerror(writeErrno));
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int linkErrno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && linkErrno != EEXIST)
    throw fileError(path, std::string("cannot write the rendezvous secret: ") + std::strerror(linkErrno));
}

}  // namespace

std::string defaultRendezvousSecretPath(const SecretEnv& env) {
  std::string base = envText(env, "XDG_CONFIG_HOME");
  if (base.empty()) {
    const std::string home = envText(env, "HOME");
    if (home.empty()) return {};
    base = home + "/.config";
  }
  return base + "/vesuvius-workbench/rendezvous-secret";
}

RendezvousSecret resolveRendezvousSecret(const std::string& secretFile, const SecretEnv& env) {
  if (!secretFile.empty())
    return {readSecretFile(secretFile, "--rendezvous-secret-file"), "file " + secretFile};
  if (std::string s = envText(env, kSecretVar); !s.empty()) {
    if (s.size() < kMinSecret)
      throw Error(fmt::format("{} has {} characters; a rendezvous secret needs at least {}", kSecretVar,
                              s.size(), kMinSecret));
    return {s, kSecretVar};
  }
  if (std::string f = envText(env, kSecretFileVar); !f.empty())
    return {readSecretFile(f, kSecretFileVar), "file " + f};
  const std::string path = defaultRendezvousSecretPath(env);
  if (path.empty())
    throw Error(fmt::format("no rendezvous secret: set {} (the same on every node) or pass "
                            "--rendezvous-secret-file (neither HOME nor XDG_CONFIG_HOME is set for "
                            "the per-user default)", kSecretVar));
  if (::access(path.c_str(), F_OK) != 0) makeDefaultSecret(path);
  return {readSecretFile(path, "the per-user default"), "file " + path};
}

namespace handshake {

Nonce freshNonce() {
  Nonce n{};
  size_t got = 0;
  while (got < n.size()) {
    const ssize_t r = ::getrandom(n.data() + got, n.size() - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw Error(std::string("no random bytes for the rendezvous handshake: ") + std::strerror(errno));
    got += size_t(r);
  }
  return n;
}

Proof proof(const std::string& secret, Role role, const Nonce& storeNonce, const Nonce& nodeNonce) {
  // Distinct labels: the store's answer cannot be replayed as a node's proof, nor the reverse.
  static const std::string kNodeLabel = "vwb-rendezvous-node", kStoreLabel = "vwb-rendezvous-store";
  const std::string& label = role == Role::Node ? kNodeLabel : kStoreLabel;
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, secret.size(), reinterpret_cast<const uint8_t*>(secret.data()));
  hmac_sha256_update(&ctx, label.size(), reinterpret_cast<const uint8_t*>(label.data()));
  hmac_sha256_update(&ctx, storeNonce.size(), storeNonce.data());
  hmac_sha256_update(&ctx, nodeNonce.size(), nodeNonce.data());
  Proof p{};
  hmac_sha256_digest(&ctx, p.size(), p.data());
  return p;
}

bool sameProof(const Proof& a, const uint8_t* b) { return ::memeql_sec(a.data(), b, a.size()) != 0; }

}  // namespace handshake
}  // namespace vwb::dist
