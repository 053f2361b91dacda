#include "pkt/shell.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

namespace tcplab::pkt {
namespace {

using Words = std::vector<std::string>;

constexpr const char* kOnlySysctl =
    "only sysctl assignments (sysctl -q name=value) and a defaults file (*.sh) are supported "
    "in shell commands";

// Splits one command line into commands (separated by ';' or '&&') of words, with the
// quoting a sysctl value needs ('a b c', "a b c", \x). A '#' starting a word begins a comment.
// Anything else a shell would treat specially ($, |, >, &, ...) is refused: we do not run a shell.
std::vector<Words> split_commands(std::string_view s, const std::string& file, Where at) {
  std::vector<Words> cmds(1);
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) cmds.back().push_back(word);
    word.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      end_word();
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == ';' || (c == '&' && i + 1 < s.size() && s[i + 1] == '&')) {
      end_word();
      cmds.emplace_back();
      if (c == '&') ++i;
    } else if (c == '\'' || c == '"') {
      const std::size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos)
        throw PktError(file, at, fmt::format("unterminated {} quote in shell command", c));
      word.append(s.substr(i + 1, close - i - 1));
      in_word = true;
      i = close;
    } else if (c == '\\' && i + 1 < s.size()) {
      word += s[++i];
      in_word = true;
    } else if (c == '$' || c == '|' || c == '&' || c == '>' || c == '<' || c == '(' || c == ')' ||
               c == '*' || c == '?' || c == '`' || c == '\\') {
      throw PktError(file, at, fmt::format("{}; found '{}' in \"{}\"", kOnlySysctl, c, s));
    } else {
      word += c;
      in_word = true;
    }
  }
  end_word();
  std::erase_if(cmds, [](const Words& w) { return w.empty(); });
  return cmds;
}

bool is_sysctl_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// "sysctl [-q] [-w] [-e] name=value ...": the assignments, in order.
std::vector<SysctlLine> read_sysctl(const Words& w, std::string_view text, const std::string& file,
                                    Where at) {
  std::vector<SysctlLine> out;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::string& a = w[i];
    if (a.size() > 1 && a[0] == '-') {
      for (std::size_t k = 1; k < a.size(); ++k)
        if (a[k] != 'q' && a[k] != 'w' && a[k] != 'e')
          throw PktError(file, at, fmt::format("sysctl option -{} is not supported (only -q, -w, -e)", a[k]));
      continue;
    }
    const std::size_t eq = a.find('=');
    if (eq == std::string::npos || !is_sysctl_name(std::string_view(a).substr(0, eq)))
      throw PktError(file, at,
                     fmt::format("sysctl needs name=value assignments, found \"{}\" in \"{}\"", a, text));
    out.push_back({a.substr(0, eq), a.substr(eq + 1)});
  }
  if (out.empty())
    throw PktError(file, at, fmt::format("sysctl without a name=value assignment in \"{}\"", text));
  return out;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

ShellLine parse_shell_line(const std::string& command, Where at, const std::string& file) {
  ShellLine line;
  line.command = command;
  const std::vector<Words> cmds = split_commands(command, file, at);
  if (cmds.size() == 1 && cmds[0].size() == 1 && ends_with(cmds[0][0], ".sh")) {
    line.defaults_file = cmds[0][0];
    return line;
  }
  if (cmds.empty()) throw PktError(file, at, fmt::format("{}; found an empty command", kOnlySysctl));
  for (const Words& w : cmds) {
    if (w[0] != "sysctl") throw PktError(file, at, fmt::format("{}; found \"{}\"", kOnlySysctl, command));
    for (SysctlLine& s : read_sysctl(w, command, file, at)) line.sysctls.push_back(std::move(s));
  }
  return line;
}

std::vector<SysctlLine> parse_defaults_file(std::string_view text, const std::string& file) {
  std::vector<SysctlLine> out;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;  // also "#!/bin/bash"
    const Where at{line_no, static_cast<int>(first) + 1};
    const std::string_view body = line.substr(first);
    for (const Words& w : split_commands(body, file, at)) {
      if (w.size() == 2 && w[0] == "set" && w[1] == "-e") continue;  // the usual script prologue
      if (w[0] != "sysctl")
        throw PktError(file, at,
                       fmt::format("a defaults file may hold only sysctl assignments (sysctl -q name=value), "
                                   "comments and \"set -e\"; found \"{}\"",
                                   body));
      for (SysctlLine& s : read_sysctl(w, body, file, at)) out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace tcplab::pkt
