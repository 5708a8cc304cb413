#include "engine/distributed/detail/RendezvousWire.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace vwb::dist::wire {

std::string errnoText(int e) { return std::strerror(e); }

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


bool parseInt64(const std::string& text, int64_t& v) {
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  return r.ec == std::errc() && r.ptr == end && !text.empty();
}

}  // namespace vwb::dist::wire
