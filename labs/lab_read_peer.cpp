// [[app]] peer = { target, port, own_port, script | file }: the host plays a packetdrill-format
// script's packet lines against target:port (issue 15; sim/app.hpp PeerGen). A script error
// (pkt::PktError, positioned inside the script) becomes a lab error positioned in the lab
// file: "lab.toml:LINE:COL: peer script line N: what", LINE being the lab line that holds
// the script's line N when the script is inline.
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <sstream>

#include "labs/lab_reader.hpp"
#include "pkt/peer_script.hpp"

namespace tcplab::labread {

namespace {

// The PktError's message without its "file:line:col: " prefix.
std::string bare_message(const pkt::PktError& e, const std::string& file) {
  const std::string prefix = fmt::format("{}:{}:{}: ", file, e.at.line, e.at.col);
  const std::string w = e.what();
  return w.rfind(prefix, 0) == 0 ? w.substr(prefix.size()) : w;
}

// Where script line 1, column 1 of an inline string value sits in the lab file. TOML drops
// the newline right after an opening """ or ''' (then line 1 is the next lab line, from its
// column 1); otherwise line 1 starts after the opening quote(s).
struct Origin {
  int line = 0, col = 0;
  bool same_line = false;
  bool one_line = false;  // "..." or '...': every script line is on the value's lab line
};
Origin inline_origin(const Reader& r, const toml::node& n) {
  const SourcePos p = r.pos(n);
  const std::string_view l = r.source_line(p.line);
  const std::size_t q = static_cast<std::size_t>(p.col > 0 ? p.col - 1 : 0);
  const std::string_view from = q < l.size() ? l.substr(q) : std::string_view{};
  const bool triple = from.substr(0, 3) == "\"\"\"" || from.substr(0, 3) == "'''";
  if (!triple) return {p.line, p.col, true, true};  // escapes make columns unreliable: the value
  if (from.size() == 3) return {p.line + 1, 1, false, false};
  return {p.line, p.col + 3, true, false};
}

std::shared_ptr<const pkt::Script> parse_peer_script(const Reader& r, const toml::node& n, const std::string& text,
                                                     const std::string& name, bool is_inline) {
  try {
    auto s = std::make_shared<pkt::Script>(pkt::parse_script(text, name));
    pkt::check_peer_script(*s);
    if (s->events.empty()) r.fail(n, "peer script has no packet lines");
    return s;
  } catch (const pkt::PktError& e) {
    const std::string msg = bare_message(e, name);
    if (!is_inline) r.fail(n, fmt::format("peer script {}:{}:{}: {}", name, e.at.line, e.at.col, msg));
    const Origin o = inline_origin(r, n);
    SourcePos at{r.file(), o.line + e.at.line - 1, e.at.col};
    if (o.one_line) at = r.pos(n);
    else if (o.same_line && e.at.line == 1) at.col = o.col + e.at.col - 1;
    throw LabError(at, fmt::format("peer script line {}: {}", e.at.line, msg));
  }
}

}  // namespace

PeerGen read_peer(const Reader& r, const toml::node& n, const HostNames& hosts) {
  const auto& t = r.table(n, "app.peer");
  r.allow(t, {"target", "port", "own_port", "script", "file", "check_arrivals"}, "app.peer");
  PeerGen g;
  if (auto* x = t.get("target")) {
    g.target = r.str(*x, "peer.target");
    if (!parse_ipv4(g.target) && !hosts.has(g.target)) hosts.require(*x, g.target);
  } else {
    r.fail(t, "app.peer needs target = \"HOST\" (the host whose stack the script talks to)");
  }
  if (auto* x = t.get("port")) g.port = static_cast<std::uint16_t>(r.integer(*x, "peer.port", 1, 65535));
  else r.fail(t, "app.peer needs port = N (the target's port)");
  if (auto* x = t.get("own_port")) g.own_port = static_cast<std::uint16_t>(r.integer(*x, "peer.own_port", 1, 65535));
  const toml::node* s = t.get("script");
  const toml::node* f = t.get("file");
  if (s && f) r.fail(*f, "app.peer takes script = \"\"\"...\"\"\" or file = \"...\", not both");
  if (s) {
    g.script = parse_peer_script(r, *s, r.str(*s, "peer.script"), "peer", true);
  } else if (f) {
    const std::string rel = r.str(*f, "peer.file");
    const std::filesystem::path path = std::filesystem::path(r.file()).parent_path() / rel;
    std::ifstream in(path, std::ios::binary);
    if (!in) r.fail(*f, "peer.file: cannot read '" + path.string() + "' (a path relative to the lab file)");
    std::stringstream ss;
    ss << in.rdbuf();
    g.script = parse_peer_script(r, *f, ss.str(), rel, false);
  } else {
    r.fail(t, "app.peer needs script = \"\"\"...packet lines...\"\"\" or file = \"peer.pkt\"");
  }
  if (auto* x = t.get("check_arrivals")) {
    g.check_arrivals = r.boolean(*x, "peer.check_arrivals");
    // Its '>' lines are skipped: a time relative to one would silently move.
    if (!g.check_arrivals)
      for (const auto& ev : g.script->events)
        if (ev.time.kind == pkt::TimeSpec::Kind::Relative)
          r.fail(*x, fmt::format("peer.check_arrivals = false skips the '>' lines: line {} needs an absolute time, not '+'", ev.at.line));
  }
  return g;
}

}  // namespace tcplab::labread
