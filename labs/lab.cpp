// Lab files (TOML, read with toml++): strict, positioned errors; per-student variables.
// parse_lab reads the tables in a fixed order (which decides the error a file with several
// gets); each table has its reader here or in labs/lab_read_*.cpp (labs/lab_reader.hpp).
#include "labs/lab.hpp"
#include "labs/suggest.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "labs/check_schema.hpp"
#include "labs/lab_reader.hpp"
#include "labs/question.hpp"

namespace tcplab {

std::string SourcePos::str() const {
  std::string s = file.empty() ? "<lab>" : file;
  if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(col);
  return s;
}

namespace {

using labread::HostNames;
using labread::Reader;

// `faults = ["drop client>server#10", ...]`: see sim/fault for the rules.
std::vector<FaultRule> read_faults(const Reader& r, const toml::table& root, const HostNames& hosts) {
  std::vector<FaultRule> faults;
  if (auto* n = root.get("faults")) {
    const auto& fa = r.array(*n, "faults");
    if (fa.size() > World::kMaxFaults)
      r.fail(*n, "faults: " + std::to_string(fa.size()) + " rules, at most " + std::to_string(World::kMaxFaults));
    for (auto& e : fa) {
      std::string err;
      auto f = parse_fault(r.str(e, "faults entry"), &err);
      if (!f) r.fail(e, err);
      for (const std::string* side : {&f->src, &f->dst})
        if (!side->empty() && !hosts.is_tag(*side)) hosts.require(e, *side);
      faults.push_back(*f);
    }
  }
  return faults;
}

// The raw CheckSpec as written; labs/checks says what its arguments mean.
CheckSpec read_check_spec(const Reader& r, const toml::table& t) {
  CheckSpec c;
  c.pos = r.pos(t);
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (key == "kind") c.kind = r.str(v, "check.kind");
    else if (key == "name") c.name = r.str(v, "check.name");
    else if (v.is_array()) {
      if (key != "expect") throw LabError(r.key_pos(k), "check." + key + " cannot be a list (only expect can)");
      for (auto& e : *v.as_array()) c.list.push_back(r.str(e, "check.expect entry"));
      c.args["expect"] = "[list]";
    } else if (v.is_string()) c.args[key] = *v.value<std::string>();
    else if (v.is_integer()) c.args[key] = std::to_string(*v.value<std::int64_t>());
    else if (v.is_boolean()) c.args[key] = *v.value<bool>() ? "true" : "false";
    else throw LabError(r.key_pos(k), "check." + key + " must be a string, integer or boolean, not " + Reader::type_name(v));
  }
  return c;
}

// [[check]]: each read, validated against its kind (labs/checks), its hosts resolved.
void read_checks(const Reader& r, const toml::table& root, const HostNames& hosts, Lab& lab) {
  if (auto* n = root.get("check")) {
    const auto& ca = r.array(*n, "check (write [[check]])");
    for (std::size_t i = 0; i < ca.size(); ++i) {
      const auto& t = r.table(*ca.get(i), "[[check]]");
      CheckSpec c = read_check_spec(r, t);
      if (c.kind.empty()) r.fail(t, "[[check]] needs kind = \"...\"");
      std::string bad_key, err;
      const std::optional<Check> typed = parse_check(c, &err, &bad_key);
      if (!typed) {
        if (!bad_key.empty())
          for (auto&& [k, v] : t)
            if (k.str() == bad_key) throw LabError(r.key_pos(k), err);
        r.fail(t, err);
      }
      for (const char* hk : {"host", "from", "to"}) {
        auto it = c.args.find(hk);
        if (it == c.args.end()) continue;
        if (hosts.is_tag(it->second)) continue;
        for (auto&& [k, v] : t)
          if (k.str() == hk) hosts.require(v, it->second);
      }
      if (c.name.empty()) c.name = c.kind + " #" + std::to_string(i + 1);
      lab.checks.push_back(c);
      lab.typed_checks.push_back(*typed);
    }
  }
}

// [[question]]: asked at a point of the run by `tcplab step` (labs/step). One of: `answer`
// (exact text), `choices` + `answer` (the number or the text of the right one), `keywords`,
// `pattern` (see QuestionSpec).
std::vector<QuestionSpec> read_questions(const Reader& r, const toml::table& root) {
  std::vector<QuestionSpec> questions;
  if (auto* n = root.get("question")) {
    const auto& qa = r.array(*n, "question (write [[question]])");
    for (std::size_t i = 0; i < qa.size(); ++i) {
      const auto& t = r.table(*qa.get(i), "[[question]]");
      r.allow(t, {"at", "text", "answer", "choices", "keywords", "pattern"}, "[[question]]");
      QuestionSpec q;
      q.pos = r.pos(t);
      if (auto* x = t.get("at")) q.at = r.str(*x, "question.at");
      if (auto* x = t.get("text")) q.text = r.str(*x, "question.text");
      else r.fail(t, "[[question]] needs text");
      const toml::node* answer = t.get("answer");
      const toml::node* choices = t.get("choices");
      const toml::node* keywords = t.get("keywords");
      const toml::node* pattern = t.get("pattern");
      // One way to be right: a second one is an error where it is written.
      std::vector<std::pair<std::string, const toml::node*>> ways;
      for (const char* k : {"answer", "keywords", "pattern"})
        if (auto* x = t.get(k)) ways.emplace_back(k, x);
      std::sort(ways.begin(), ways.end(), [](const auto& a, const auto& b) {
        const auto &sa = a.second->source().begin, &sb = b.second->source().begin;
        return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
      });
      if (ways.size() > 1)
        r.fail(*ways[1].second, "[[question]] has both " + ways[0].first + " and " + ways[1].first +
                                    "; give one of: answer (the exact text, or with choices the right choice), "
                                    "keywords (all must appear) or pattern (a regular expression)");
      if (choices && !answer)
        r.fail(*choices, "[[question]] with choices needs answer = the right choice's number (1-based) or its text");
      if (choices && (keywords || pattern))
        r.fail(keywords ? *keywords : *pattern, "[[question]] with choices is answered by answer = the right choice, not by " +
                                                    std::string(keywords ? "keywords" : "pattern"));
      if (choices) {
        const auto& ca = r.array(*choices, "question.choices");
        if (ca.size() < 2) r.fail(*choices, "question.choices needs at least 2 choices");
        for (const auto& c : ca) q.choices.push_back(r.str(c, "question.choices entries"));
        if (answer->is_integer()) {
          q.choice = static_cast<std::size_t>(*answer->value<std::int64_t>() < 1 ? 0 : *answer->value<std::int64_t>());
          if (q.choice < 1 || q.choice > q.choices.size())
            r.fail(*answer, "question.answer = " + std::to_string(*answer->value<std::int64_t>()) + " is not a choice: there are " +
                                std::to_string(q.choices.size()) + ", numbered 1 to " + std::to_string(q.choices.size()));
        } else {
          const std::string a = r.str(*answer, "question.answer (a choice's number or text)");
          const auto it = std::find(q.choices.begin(), q.choices.end(), a);
          if (it == q.choices.end())
            r.fail(*answer, "question.answer \"" + a + "\" is none of the choices; give its number (1 to " +
                                std::to_string(q.choices.size()) + ") or its exact text");
          q.choice = static_cast<std::size_t>(it - q.choices.begin()) + 1;
        }
        q.answer = q.choices[q.choice - 1];
      } else if (answer) {
        q.answer = r.str(*answer, "question.answer");
      } else if (keywords) {
        const auto& ka = r.array(*keywords, "question.keywords");
        if (ka.size() == 0) r.fail(*keywords, "question.keywords needs at least one keyword");
        for (const auto& k : ka) {
          const std::string w = r.str(k, "question.keywords entries");
          std::size_t from = 0;
          for (;;) {  // every alternative must say something
            const auto bar = w.find('|', from);
            const std::string alt = w.substr(from, bar == std::string::npos ? std::string::npos : bar - from);
            if (alt.find_first_not_of(" \t") == std::string::npos)
              r.fail(k, "question.keywords entry \"" + w + "\" has an empty alternative (alternatives are separated by |)");
            if (bar == std::string::npos) break;
            from = bar + 1;
          }
          q.keywords.push_back(w);
        }
      } else if (pattern) {
        q.pattern = r.str(*pattern, "question.pattern");
        if (const std::string err = question_pattern_error(q.pattern); !err.empty())
          r.fail(*pattern, "question.pattern is not a valid regular expression (ECMAScript): " + err);
      } else {
        r.fail(t, "[[question]] needs answer (exact text), choices with answer, keywords or pattern");
      }
      questions.push_back(q);
    }
  }
  return questions;
}

}  // namespace

std::optional<std::uint64_t> parse_rate(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + i, v);
  if (ec != std::errc()) return std::nullopt;
  const std::string unit = s.substr(i);
  std::uint64_t scale = 0;
  if (unit == "bps") scale = 1;
  else if (unit == "kbps" || unit == "Kbps") scale = 1000;
  else if (unit == "Mbps") scale = 1'000'000;
  else if (unit == "Gbps") scale = 1'000'000'000;
  else return std::nullopt;
  if (v == 0 || v > UINT64_MAX / scale) return std::nullopt;
  return v * scale;
}

std::string catalogue_dir() {
  if (const char* env = std::getenv("TCPLAB_CATALOGUE")) return env;
  // An installed binary (cmake --install) finds the labs installed beside it, in
  // PREFIX/share/tcplab/catalogue; one in the build tree finds none there and uses the
  // source tree's.
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "tcplab" / "catalogue";
    if (std::filesystem::is_directory(installed, ec)) return installed.string();
  }
  return TCPLAB_CATALOGUE_DIR;
}

std::vector<std::string> catalogue_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(catalogue_dir(), ec))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_lab_path(const std::string& lab) {
  namespace fs = std::filesystem;
  if (lab.find('/') != std::string::npos || (lab.size() > 5 && lab.substr(lab.size() - 5) == ".toml")) {
    if (!fs::exists(lab)) throw LabError(SourcePos{lab, 0, 0}, "no such lab file");
    return lab;
  }
  const std::string p = catalogue_dir() + "/" + lab + ".toml";
  if (fs::exists(p)) return p;
  if (fs::exists(lab)) return lab;
  const std::string best = closest_within(lab, catalogue_names(), 3);
  throw LabError(SourcePos{lab, 0, 0}, "no built-in lab or file named '" + lab + "'" +
                                           (best.empty() ? " (see `tcplab list`)" : "; did you mean '" + best + "'?"));
}

Lab load_lab(const std::string& lab, const LoadOptions& opt) {
  const std::string path = resolve_lab_path(lab);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LabError(SourcePos{path, 0, 0}, "cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  Lab l = parse_lab(ss.str(), path, opt);
  l.name = std::filesystem::path(path).stem().string();
  return l;
}

Lab parse_lab(const std::string& text, const std::string& path, const LoadOptions& opt) {
  Reader r(path, text);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw LabError(SourcePos{path, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)},
                   "TOML syntax: " + std::string(e.description()));
  }
  r.allow(root, {"title", "goal", "explanation", "seed", "until", "profile", "host", "link", "path", "bottleneck", "app", "faults",
                 "check", "vars", "question"},
          "the lab");
  Lab lab;
  lab.path = path;
  lab.name = std::filesystem::path(path).stem().string();

  // Seed first: per-student variables are drawn from it.
  if (auto* n = root.get("seed")) lab.seed = static_cast<std::uint64_t>(r.integer(*n, "seed", 0, INT64_MAX));
  if (opt.seed) lab.seed = *opt.seed;

  // Variables, then substitution of {{name}} in every string.
  const auto values = labread::read_vars(r, root, opt, lab.seed, lab.vars);
  labread::substitute(root, values, r);

  if (auto* n = root.get("title")) lab.title = r.str(*n, "title");
  else throw LabError(SourcePos{path, 1, 1}, "the lab has no title (add: title = \"...\")");
  if (auto* n = root.get("goal")) lab.goal = r.str(*n, "goal");
  if (auto* n = root.get("explanation")) lab.explanation = r.str(*n, "explanation");
  if (auto* n = root.get("until")) lab.until = r.duration(*n, "until");

  lab.hosts = labread::read_hosts(r, root, labread::read_profile(r, root));
  const HostNames hosts(r, lab.hosts);
  if (auto* n = root.get("link")) labread::read_link(r, r.table(*n, "[link]"), lab.link, "[link]");
  lab.paths = labread::read_paths(r, root, lab.link, hosts);
  lab.bottlenecks = labread::read_bottlenecks(r, root, lab.hosts, hosts, lab.paths);
  labread::AppCost cost;
  lab.apps = labread::read_apps(r, root, hosts, &cost);
  if (cost.bytes > opt.max_memory)
    throw LabError(cost.largest_pos, cost.largest_key + " would need about " + human_bytes(cost.bytes) +
                                         " of memory; the limit is " + human_bytes(opt.max_memory) + " (--max-memory)");
  lab.faults = read_faults(r, root, hosts);
  read_checks(r, root, hosts, lab);
  lab.questions = read_questions(r, root);
  return lab;
}

World build_world(const Lab& lab) {
  World w(lab.seed);
  for (const auto& h : lab.hosts) {
    const int id = w.add_host(h.name, h.ip, h.tcp);
    w.set_ephemeral_range(id, h.port_lo, h.port_hi);
  }
  // Every pair of hosts is linked with the default settings, unless a [[path]] says otherwise.
  const int n = static_cast<int>(lab.hosts.size());
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      LinkParams ab = lab.link, ba = lab.link;
      for (const auto& p : lab.paths) {
        const int pa = w.host_index(p.a), pb = w.host_index(p.b);
        if (pa == a && pb == b) { ab = p.params; if (!p.one_way) ba = p.params; }
        if (pa == b && pb == a) { ba = p.params; if (!p.one_way) ab = p.params; }
      }
      w.add_link(a, b, ab, ba);
    }
  }
  // Pairs across a bottleneck cross it instead of their link (labs/lab_read_bottleneck.cpp).
  for (const auto& b : lab.bottlenecks) w.add_bottleneck(b);
  for (const auto& f : lab.faults) w.add_fault(f);
  for (const auto& a : lab.apps) w.add_app(a);
  return w;
}

}  // namespace tcplab
