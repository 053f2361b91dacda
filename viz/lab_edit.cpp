#include "viz/lab_edit.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "labs/lab.hpp"

namespace tcplab::viz {
namespace {

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A small TOML scanner: enough to find top-level keys, table headers and the extent of an
// array value while skipping strings and comments.
struct Scanner {
  const std::string& t;
  std::size_t i = 0;

  bool at(const char* s) const { return t.compare(i, std::char_traits<char>::length(s), s) == 0; }
  // Skips a string starting at i (any of the four kinds). Returns false if unterminated.
  bool skip_string() {
    if (at("\"\"\"") || at("'''")) {
      const std::string delim = t.substr(i, 3);
      const bool basic = delim[0] == '"';
      i += 3;
      while (i < t.size()) {
        if (basic && t[i] == '\\') { i += 2; continue; }
        if (at(delim.c_str())) {
          i += 3;
          while (i < t.size() && t[i] == delim[0]) ++i;  // up to two more quotes belong to the string
          return true;
        }
        ++i;
      }
      return false;
    }
    const char q = t[i++];
    while (i < t.size() && t[i] != '\n') {
      if (q == '"' && t[i] == '\\') { i += 2; continue; }
      if (t[i++] == q) return true;
    }
    return false;
  }
  void skip_comment() {
    while (i < t.size() && t[i] != '\n') ++i;
  }
};

}  // namespace

std::string add_faults_to_lab_text(const std::string& text, const std::vector<std::string>& rules, std::string* error) {
  std::string items;
  for (const auto& r : rules) items += (items.empty() ? "" : ", ") + toml_quote(r);
  Scanner s{text};
  int depth = 0;               // [ ] and { } nesting inside values
  bool line_start = true;      // only whitespace so far on this line
  std::size_t first_table = std::string::npos;
  while (s.i < text.size()) {
    const char c = text[s.i];
    if (c == '\n') { line_start = true; ++s.i; continue; }
    if (c == ' ' || c == '\t' || c == '\r') { ++s.i; continue; }
    if (c == '#') { s.skip_comment(); continue; }
    if (c == '"' || c == '\'') {
      if (!s.skip_string()) { *error = "the lab file has an unterminated string"; return ""; }
      line_start = false;
      continue;
    }
    if (depth == 0 && line_start && c == '[') {
      first_table = text.rfind('\n', s.i) == std::string::npos ? 0 : text.rfind('\n', s.i) + 1;
      break;
    }
    if (depth == 0 && line_start && s.at("faults")) {
      std::size_t j = s.i + 6;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
        if (j >= text.size() || text[j] != '[') { *error = "`faults` in the lab file is not an array"; return ""; }
        // Find the matching ']' and the last thing written before it.
        s.i = j + 1;
        int d = 1;
        std::size_t last = j;  // position of the last significant character
        while (s.i < text.size() && d > 0) {
          const char ch = text[s.i];
          if (ch == '#') { s.skip_comment(); continue; }
          if (ch == '"' || ch == '\'') {
            if (!s.skip_string()) { *error = "the lab file has an unterminated string"; return ""; }
            last = s.i - 1;
            continue;
          }
          if (ch == '[' || ch == '{') ++d;
          if (ch == ']' || ch == '}') --d;
          if (d == 0) break;
          if (!std::isspace(static_cast<unsigned char>(ch))) last = s.i;
          ++s.i;
        }
        if (d != 0) { *error = "the `faults` array in the lab file is not closed"; return ""; }
        const char lc = text[last];
        const std::string ins = lc == '[' ? items : lc == ',' ? " " + items : ", " + items;
        return text.substr(0, last + 1) + ins + text.substr(last + 1);
      }
    }
    if (c == '[' || c == '{') ++depth;
    if ((c == ']' || c == '}') && depth > 0) --depth;
    line_start = false;
    ++s.i;
  }
  const std::string line = "# added by tcplab-viz\nfaults = [" + items + "]\n";
  if (first_table == std::string::npos) {
    std::string out = text;
    if (!out.empty() && out.back() != '\n') out += '\n';
    return out + line;
  }
  return text.substr(0, first_table) + line + "\n" + text.substr(first_table);
}

std::string fork_stem(const std::string& lab_name, const std::vector<std::string>& rules) {
  std::string stem = lab_name;
  for (const auto& r : rules) {
    stem += '-';
    bool dash = false;
    for (char c : r) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        stem += c;
        dash = false;
      } else if (!dash) {
        stem += '-';
        dash = true;
      }
    }
    while (!stem.empty() && stem.back() == '-') stem.pop_back();
  }
  return stem;
}

std::string fresh_path(const std::string& dir, const std::string& stem, const std::string& ext) {
  namespace fs = std::filesystem;
  const fs::path d = dir.empty() ? fs::path(".") : fs::path(dir);
  fs::path p = d / (stem + ext);
  for (int n = 2; fs::exists(p); ++n) p = d / (stem + "-" + std::to_string(n) + ext);
  return p.string();
}

SaveResult save_lab_with_faults(const std::string& lab_path, const std::vector<std::string>& rules,
                                const std::string& out_path, bool overwrite) {
  namespace fs = std::filesystem;
  SaveResult r;
  if (rules.empty()) {
    r.message = "nothing to save: this timeline has no fault rules of its own";
    return r;
  }
  if (out_path.empty()) {
    r.message = "no file name given";
    return r;
  }
  std::error_code ec;
  if (fs::exists(out_path, ec) && !overwrite) {
    r.outcome = SaveResult::Outcome::Exists;
    r.message = out_path + " exists: overwrite it?";
    return r;
  }
  if (fs::equivalent(lab_path, out_path, ec) && !overwrite) {
    r.outcome = SaveResult::Outcome::Exists;
    r.message = out_path + " is the lab itself: overwrite it?";
    return r;
  }
  std::ifstream in(lab_path, std::ios::binary);
  if (!in) {
    r.message = "cannot read " + lab_path;
    return r;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string err;
  const std::string text = add_faults_to_lab_text(buf.str(), rules, &err);
  if (text.empty()) {
    r.message = lab_path + ": " + err;
    return r;
  }
  try {
    (void)parse_lab(text, out_path);
  } catch (const std::exception& e) {
    r.message = std::string("the edited lab does not load: ") + e.what();
    return r;
  }
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      r.message = "cannot write " + out_path;
      fs::remove(tmp, ec);
      return r;
    }
  }
  fs::rename(tmp, out_path, ec);
  if (ec) {
    r.message = "cannot write " + out_path + ": " + ec.message();
    fs::remove(tmp, ec);
    return r;
  }
  r.outcome = SaveResult::Outcome::Written;
  std::string list;
  for (const auto& x : rules) list += (list.empty() ? "" : ", ") + toml_quote(x);
  r.message = "wrote " + fs::absolute(out_path).string() + " with faults += [" + list + "]";
  return r;
}

}  // namespace tcplab::viz
