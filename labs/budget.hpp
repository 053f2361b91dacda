#pragma once
// How big a lab may be. Before a run, a lab's generators are costed (clients, SYN floods,
// port scans: each connection they make costs memory for its TCB and its trace events) and
// a lab that cannot fit in the memory limit is refused at load time, naming the key that
// asks for too much. During a run, the runner watches the process's memory and a stop
// request (Ctrl-C) and ends cleanly with what was computed so far.
#include <cstdint>
#include <optional>
#include <string>

namespace tcplab {

// The default limit (--max-memory): enough for ~400,000 scripted clients.
inline constexpr std::uint64_t kDefaultMaxMemory = 4ULL << 30;

// Measured on this project's labs (bench/README.md, "memory per lab connection"): a
// scripted client with a short exchange and its server-side connection cost about 10 KB
// with their trace events (10^5 clients: 1.07 GB peak RSS). A spoofed SYN or a scanned
// port costs a few trace events and at most a SYN_RECEIVED entry.
inline constexpr std::uint64_t kBytesPerClient = 10 * 1024;
inline constexpr std::uint64_t kBytesPerProbe = 2 * 1024;

// "4GB", "512MB", "1.5GB" is not accepted (whole numbers only), "100KB"; nullopt if malformed.
std::optional<std::uint64_t> parse_memory_size(const std::string& text);
// 1536 -> "1.5 KB", 4294967296 -> "4 GB" (binary units, as free -h prints them).
std::string human_bytes(std::uint64_t n);
// The resident set of this process in bytes, or 0 where it cannot be read (the browser).
std::uint64_t resident_bytes();

}  // namespace tcplab
