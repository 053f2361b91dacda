#include "viz/link.hpp"

namespace tcplab::viz {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Everything but unreserved characters is escaped, so a rule like "drop A>B#3" survives.
std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

const char* tab_key(Tab t) {
  switch (t) {
    case Tab::Text: return "text";
    case Tab::Netstat: return "netstat";
    case Tab::Plots: return "plots";
    case Tab::Fork: return "fork";
    case Tab::Lab: return "lab";
    case Tab::Congestion: return "congestion";
    case Tab::Observer: return "observer";
  }
  return "text";
}

}  // namespace

std::optional<std::vector<std::string>> link_to_args(const std::string& hash, std::string* error) {
  std::string h = hash;
  if (!h.empty() && h.front() == '#') h.erase(0, 1);
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start <= h.size()) {
    std::size_t end = h.find('&', start);
    if (end == std::string::npos) end = h.size();
    const std::string part = h.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    const std::string key = part.substr(0, eq);
    const auto value = percent_decode(eq == std::string::npos ? "" : part.substr(eq + 1));
    if (!value) {
      *error = "link: bad %-escape in '" + part + "'";
      return std::nullopt;
    }
    if (key == "lab") {
      args.push_back(*value);
    } else if (key == "seed" || key == "step" || key == "at" || key == "fork" || key == "tab" || key == "speed") {
      args.push_back("--" + key);
      args.push_back(*value);
    } else if (key == "predict" || key == "play") {
      if (*value == "0") continue;
      if (!value->empty() && *value != "1") {
        *error = "link: " + key + " takes 1 or 0, not '" + *value + "'";
        return std::nullopt;
      }
      args.push_back("--" + key);
    } else {
      *error = "link: unknown key '" + key + "' (lab, seed, step, at, fork, tab, speed, predict, play)";
      return std::nullopt;
    }
  }
  return args;
}

std::optional<VizOptions> parse_link(const std::string& hash, std::string* error) {
  const auto args = link_to_args(hash, error);
  if (!args) return std::nullopt;
  auto opt = parse_viz_options(*args, error);
  if (!opt) *error = "link: " + *error;
  return opt;
}

std::string link_for(const Session& s, const UiState& ui) {
  // A capture opened in the page stays in the page: its name is not put in the address.
  if (s.capture()) return "#";
  const TraceIndex& ix = s.index();
  const std::uint32_t row = ix.row_at_cursor(s.cursor());
  std::string link = "#lab=" + percent_encode(s.lab_arg()) + "&seed=" + std::to_string(s.lab().seed) +
                     "&step=" + std::to_string(row == kNone ? 0 : row + 1);
  for (const auto& r : s.slot(s.active()).rules) link += "&fork=" + percent_encode(r);
  if (ui.tab != Tab::Text) link += std::string("&tab=") + tab_key(ui.tab);
  if (ui.predict) link += "&predict=1";
  return link;
}

}  // namespace tcplab::viz
