#pragma once
// The rendezvous store's wire format (private to engine/distributed; torch-free), shared by its
// server (RendezvousServer.cpp) and client (RendezvousStore.cpp). After the handshake
// (RendezvousAuth.h) a request is a frame: u8 op, u32 field count (<= kMaxFields), per field u32
// length + bytes (big-endian), all fields together at most the store's maxFrame; the answer is a
// frame whose head is a Status (kRefusedRequest carries the reason as its field).
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vwb::dist::wire {

constexpr uint32_t kMaxFields = 3;
constexpr size_t kHeaderSize = 5;        // op + field count
constexpr size_t kReadChunk = 64 << 10;  // bytes read per step: buffers grow only by what arrived
enum Op : uint8_t { kSet = 1, kGet, kAdd, kCheck, kDelete, kCount, kCompareSet };
enum Status : uint8_t { kOk = 0, kNotFound = 1, kRefusedRequest = 2 };

std::string errnoText(int e = errno);
uint32_t be32(const char* p);

std::string encodeFrame(uint8_t head, const std::vector<std::string>& fields);

// A frame at the front of `in`: Incomplete until all its bytes are there; Bad as soon as its
// header declares more than `maxFrame` bytes (before they arrive). Sizes are checked against
// what remains of the cap, so no sum can wrap. Done: `used` bytes of `in` made op and fields.
enum class Parse { Incomplete, Bad, Done };
Parse parseFrame(const std::string& in, size_t maxFrame, uint8_t& op, std::vector<std::string>& fields,
                 size_t& used, std::string& why);

// Blocking whole reads and writes for the client; false when the peer is gone or silent past
// the socket's receive timeout (errno says which).
bool readAll(int fd, void* data, size_t size);
bool writeAll(int fd, const void* data, size_t size);
// The client's read of an answer: capped like requests, grown as bytes arrive. nothingRead:
// the connection ended before the answer's first byte.
bool readFrame(int fd, size_t maxFrame, uint8_t& head, std::vector<std::string>& fields, bool& nothingRead);

std::string peerName(const sockaddr_storage& a);  // "host:port", numeric

inline std::string asText(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }
inline std::vector<uint8_t> asBytes(const std::string& s) { return {s.begin(), s.end()}; }

// Whole-text int64, or false (no partial parses, no exceptions).
bool parseInt64(const std::string& text, int64_t& v);

}  // namespace vwb::dist::wire
