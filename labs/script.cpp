#include "labs/script.hpp"

#include <charconv>
#include <vector>

#include "sim/fault.hpp"

namespace tcplab {

const char* script_grammar() {
  return "listen PORT [backlog N] [reuseaddr] | serve | accept | connect HOST PORT [from PORT] [reuseaddr] | "
         "send N | send \"TEXT\" | recv N [verify] | recv all [verify] | wait eof | wait DURATION | shutdown | close | abort | "
         "crash [for DURATION] | exit";
}

namespace {

// Splits on spaces, keeping "quoted text" (with \" and \\ escapes) as one word.
bool split(const std::string& line, std::vector<std::string>* words, std::vector<bool>* quoted, std::string* error) {
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t') { ++i; continue; }
    if (line[i] == '"') {
      std::string w;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          const char c = line[i + 1];
          w += c == 'n' ? '\n' : c == 'r' ? '\r' : c;
          i += 2;
          continue;
        }
        if (line[i] == '"') { closed = true; ++i; break; }
        w += line[i++];
      }
      if (!closed) { *error = "unterminated quoted text in '" + line + "'"; return false; }
      words->push_back(w);
      quoted->push_back(true);
      continue;
    }
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    words->push_back(line.substr(i, j - i));
    quoted->push_back(false);
    i = j;
  }
  return true;
}

bool number(const std::string& s, std::uint64_t* v, std::uint64_t max) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && *v <= max;
}

}  // namespace

std::optional<Step> parse_step(const std::string& line, std::string* error) {
  std::vector<std::string> w;
  std::vector<bool> q;
  if (!split(line, &w, &q, error)) return std::nullopt;
  if (w.empty()) { *error = "empty script line"; return std::nullopt; }
  Step s;
  const std::string& op = w[0];
  auto port = [&](std::size_t i, std::uint16_t* out) {
    std::uint64_t v = 0;
    if (i >= w.size() || !number(w[i], &v, 65535) || v == 0) {
      *error = "'" + line + "': expected a port number (1-65535)" + (i < w.size() ? ", not '" + w[i] + "'" : "");
      return false;
    }
    *out = static_cast<std::uint16_t>(v);
    return true;
  };
  auto extra = [&](std::size_t from) {
    if (from < w.size()) { *error = "'" + line + "': unexpected '" + w[from] + "'"; return false; }
    return true;
  };
  if (op == "listen") {
    s.op = Op::Listen;
    if (!port(1, &s.port)) return std::nullopt;
    for (std::size_t i = 2; i < w.size(); ++i) {
      std::uint64_t v = 0;
      if (w[i] == "backlog" && i + 1 < w.size() && number(w[i + 1], &v, 1'000'000)) { s.backlog = static_cast<int>(v); ++i; }
      else if (w[i] == "reuseaddr") s.reuse_addr = true;
      else { *error = "'" + line + "': unexpected '" + w[i] + "' (listen PORT [backlog N] [reuseaddr])"; return std::nullopt; }
    }
    return s;
  }
  if (op == "serve" || op == "accept" || op == "shutdown" || op == "close" || op == "abort" || op == "exit") {
    s.op = op == "serve" ? Op::Serve : op == "accept" ? Op::Accept : op == "shutdown" ? Op::Shutdown
         : op == "close" ? Op::Close : op == "abort" ? Op::Abort : Op::Exit;
    if (!extra(1)) return std::nullopt;
    return s;
  }
  if (op == "connect") {
    s.op = Op::Connect;
    if (w.size() < 3) { *error = "'" + line + "': expected connect HOST PORT"; return std::nullopt; }
    s.target = w[1];
    if (!port(2, &s.port)) return std::nullopt;
    for (std::size_t i = 3; i < w.size(); ++i) {
      if (w[i] == "from") { if (!port(i + 1, &s.local_port)) return std::nullopt; ++i; }
      else if (w[i] == "reuseaddr") s.reuse_addr = true;
      else if (w[i] == "cc" && i + 1 < w.size()) {
        s.cc = parse_cc(w[i + 1]);
        if (!s.cc) { *error = "'" + line + "': unknown cc '" + w[i + 1] + "' (cubic, newreno, reno, bbr)"; return std::nullopt; }
        ++i;
      }
      else { *error = "'" + line + "': unexpected '" + w[i] + "' (connect HOST PORT [from PORT] [reuseaddr] [cc NAME])"; return std::nullopt; }
    }
    return s;
  }
  if (op == "send") {
    s.op = Op::Send;
    if (w.size() != 2) { *error = "'" + line + "': expected send N or send \"TEXT\""; return std::nullopt; }
    if (q[1]) {
      if (w[1].empty()) { *error = "'" + line + "': nothing to send"; return std::nullopt; }
      s.text = w[1];
    } else if (!number(w[1], &s.bytes, 1ULL << 40) || s.bytes == 0) {
      *error = "'" + line + "': '" + w[1] + "' is not a byte count (send N, or send \"TEXT\")";
      return std::nullopt;
    }
    return s;
  }
  if (op == "recv") {
    if (w.size() == 3 && w[2] == "verify") {
      s.verify = true;
      w.pop_back();
    }
    if (w.size() != 2) { *error = "'" + line + "': expected recv N [verify] or recv all [verify]"; return std::nullopt; }
    if (w[1] == "all") { s.op = Op::RecvAll; return s; }
    s.op = Op::Recv;
    if (!number(w[1], &s.bytes, 1ULL << 40) || s.bytes == 0) { *error = "'" + line + "': '" + w[1] + "' is not a byte count"; return std::nullopt; }
    return s;
  }
  if (op == "wait") {
    if (w.size() != 2) { *error = "'" + line + "': expected wait eof or wait DURATION"; return std::nullopt; }
    if (w[1] == "eof") { s.op = Op::WaitEof; return s; }
    s.op = Op::Wait;
    auto d = parse_duration(w[1], error);
    if (!d) { *error = "'" + line + "': " + *error; return std::nullopt; }
    s.duration = *d;
    return s;
  }
  if (op == "crash") {
    s.op = Op::Crash;
    if (w.size() == 1) return s;
    if (w.size() == 3 && w[1] == "for") {
      auto d = parse_duration(w[2], error);
      if (!d) { *error = "'" + line + "': " + *error; return std::nullopt; }
      s.duration = *d;
      return s;
    }
    *error = "'" + line + "': expected crash or crash for DURATION";
    return std::nullopt;
  }
  *error = "unknown step '" + op + "' (" + script_grammar() + ")";
  return std::nullopt;
}

}  // namespace tcplab
