#include "labs/budget.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <fstream>

namespace tcplab {

std::optional<std::uint64_t> parse_memory_size(const std::string& text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || p == text.data()) return std::nullopt;
  std::string unit(p, end);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit == "B") shift = 0;
  else if (unit == "KB" || unit == "K" || unit == "KIB") shift = 10;
  else if (unit == "MB" || unit == "M" || unit == "MIB") shift = 20;
  else if (unit == "GB" || unit == "G" || unit == "GIB") shift = 30;
  else if (unit == "TB" || unit == "T" || unit == "TIB") shift = 40;
  if (shift < 0 || n == 0 || n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

std::string human_bytes(std::uint64_t n) {
  static const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int u = 0;
  std::uint64_t whole = n, tenths = 0;
  while (whole >= 1024 && u < 5) {
    tenths = (whole % 1024) * 10 / 1024;
    whole /= 1024;
    ++u;
  }
  return whole >= 10 || tenths == 0 ? fmt::format("{} {}", whole, units[u]) : fmt::format("{}.{} {}", whole, tenths, units[u]);
}

std::uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? resident * static_cast<std::uint64_t>(page) : 0;
}

}  // namespace tcplab
