// The built-in labs (labs/catalogue/*.toml): every one loads, says what it teaches, has enough
// checks and a per-student variable, and every check passes - on the canonical run (the
// variables' defaults) and on every per-student variant. A failure names the lab, the check,
// what was expected, what happened and the trace line that shows it.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <cctype>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "labs/lab.hpp"
#include "labs/runner.hpp"

using namespace tcplab;

namespace {

const std::filesystem::path kCatalogue = std::filesystem::path(TCPLAB_SOURCE_DIR) / "labs" / "catalogue";

// Every lab the catalogue must offer.
const std::vector<std::string> kExpectedLabs = {
    "handshake",         "close",           "simultaneous-open", "simultaneous-close", "lost-syn",
    "lost-synack",       "lost-fin",        "lost-last-ack",     "time-wait-rebind",   "closed-port-rst",
    "syn-flood",         "port-scan",       "half-open",         "close-wait-leak",    "fin-wait-2",
    "fin-wait-1-pileup", "last-ack-pileup", "time-wait-pileup",  "lossy-transfer",     "zero-window",
    "blind-reset",       "syn-in-established", "data-after-close", "old-duplicate-ack",
    "congestion-sawtooth", "reno-vs-cubic",   "rtt-unfairness",    "bufferbloat",        "bbr-vs-cubic",
    "nic-overload",      "idle-restart",
};

// Labs written before per-student variables existed (not ours to change here).
const std::set<std::string> kNoVarsYet = {"handshake"};

std::vector<std::filesystem::path> catalogue_files() {
  std::vector<std::filesystem::path> v;
  for (const auto& e : std::filesystem::directory_iterator(kCatalogue))
    if (e.path().extension() == ".toml") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

std::string stem(const std::filesystem::path& p) { return p.stem().string(); }

std::string describe(const std::string& lab, const std::string& variant, const CheckResult& r) {
  std::string s = lab + (variant.empty() ? "" : " (" + variant + ")") + ": check \"" + r.name + "\" (" + r.kind +
                  ", " + r.pos.str() + ")\n  expected: " + r.expected + "\n  actual:   " + r.actual;
  if (!r.evidence.empty()) s += "\n  shown by: " + r.evidence;
  return s;
}

// Loads and runs one lab (with variable overrides) and CHECKs every verdict.
void check_lab_passes(const std::filesystem::path& file, const LoadOptions& opt, const std::string& variant) {
  const std::string name = stem(file);
  INFO("lab " << name << (variant.empty() ? "" : " with " + variant));
  Lab lab;
  try {
    lab = load_lab(file.string(), opt);
  } catch (const LabError& e) {
    FAIL_CHECK("does not load: " << e.what());
    return;
  }
  const LabRun run = run_lab(lab);
  CHECK_FALSE(run.results.empty());
  for (const auto& r : run.results) {
    INFO(describe(name, variant, r));
    CHECK(r.pass);
  }
}

// The values a variable can take: its choices, or the ends of its range.
std::vector<std::string> values_of(const VarSpec& v) {
  if (!v.choices.empty()) return v.choices;
  std::vector<std::string> out;
  if (v.min) out.push_back(std::to_string(*v.min));
  if (v.max && v.max != v.min) out.push_back(std::to_string(*v.max));
  return out;
}

// The canonical run (every variable at its default), then each per-student variant with one
// variable changed at a time.
void check_lab_everywhere(const std::filesystem::path& file) {
  check_lab_passes(file, {}, "");
  Lab lab;
  try {
    lab = load_lab(file.string());
  } catch (const LabError&) {
    return;  // reported by check_lab_passes
  }
  for (const auto& v : lab.vars) {
    for (const auto& value : values_of(v)) {
      if (value == v.value) continue;  // the canonical run, checked above
      LoadOptions opt;
      opt.vars[v.name] = value;
      check_lab_passes(file, opt, v.name + "=" + value);
    }
  }
}

}  // namespace

// One test case per expected lab, so that CTest names the lab that fails.
#define CATALOGUE_LAB(NAME)                                                          \
  TEST_CASE("catalogue: " NAME ": every check passes, canonical run and variants") { \
    const auto file = kCatalogue / (std::string(NAME) + ".toml");                    \
    REQUIRE(std::filesystem::exists(file));                                          \
    check_lab_everywhere(file);                                                      \
  }

TEST_SUITE("catalogue") {
  CATALOGUE_LAB("handshake")
  CATALOGUE_LAB("close")
  CATALOGUE_LAB("simultaneous-open")
  CATALOGUE_LAB("simultaneous-close")
  CATALOGUE_LAB("lost-syn")
  CATALOGUE_LAB("lost-synack")
  CATALOGUE_LAB("lost-fin")
  CATALOGUE_LAB("lost-last-ack")
  CATALOGUE_LAB("time-wait-rebind")
  CATALOGUE_LAB("closed-port-rst")
  CATALOGUE_LAB("syn-flood")
  CATALOGUE_LAB("port-scan")
  CATALOGUE_LAB("half-open")
  CATALOGUE_LAB("close-wait-leak")
  CATALOGUE_LAB("fin-wait-2")
  CATALOGUE_LAB("fin-wait-1-pileup")
  CATALOGUE_LAB("last-ack-pileup")
  CATALOGUE_LAB("time-wait-pileup")
  CATALOGUE_LAB("lossy-transfer")
  CATALOGUE_LAB("zero-window")
  CATALOGUE_LAB("blind-reset")
  CATALOGUE_LAB("syn-in-established")
  CATALOGUE_LAB("data-after-close")
  CATALOGUE_LAB("old-duplicate-ack")
  CATALOGUE_LAB("idle-restart")

  TEST_CASE("catalogue: every expected lab is there") {
    std::set<std::string> have;
    for (const auto& f : catalogue_files()) have.insert(stem(f));
    for (const auto& n : kExpectedLabs) {
      INFO("labs/catalogue/" << n << ".toml");
      CHECK(have.count(n) == 1);
    }
    // And `tcplab list` sees the same set (catalogue_names() reads the compiled-in directory).
    const auto listed = catalogue_names();
    for (const auto& n : kExpectedLabs) {
      INFO("catalogue_names() lists " << n);
      CHECK(std::find(listed.begin(), listed.end(), n) != listed.end());
    }
  }

  TEST_CASE("catalogue: every lab teaches something and is graded by at least three checks") {
    const auto files = catalogue_files();
    REQUIRE_FALSE(files.empty());
    for (const auto& f : files) {
      const std::string name = stem(f);
      INFO("lab " << name);
      Lab lab;
      try {
        lab = load_lab(f.string());
      } catch (const LabError& e) {
        FAIL_CHECK("does not load: " << e.what());
        continue;
      }
      CHECK_FALSE(lab.title.empty());
      CHECK_FALSE(lab.goal.empty());
      CHECK_FALSE(lab.explanation.empty());
      CHECK(lab.checks.size() >= 3);
      if (kNoVarsYet.count(name)) {
        WARN_MESSAGE(!lab.vars.empty(), name << " has no [vars] yet");
        continue;
      }
      CHECK(lab.vars.size() >= 1);
      std::string text;
      {
        std::ifstream in(f);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      const toml::table root = toml::parse(text, f.string());
      for (const auto& v : lab.vars) {
        INFO("variable " << v.name);
        // The plain run is the canonical one: every variable has a default...
        CHECK(root["vars"][v.name]["default"].is_value());
        // ... and is used somewhere as {{name}}.
        CHECK(text.find("{{" + v.name + "}}") != std::string::npos);
      }
    }
  }

  TEST_CASE("catalogue: labs outside the expected list pass too (canonical run and variants)") {
    for (const auto& f : catalogue_files())
      if (std::find(kExpectedLabs.begin(), kExpectedLabs.end(), stem(f)) == kExpectedLabs.end()) check_lab_everywhere(f);
  }

  TEST_CASE("catalogue: a named student's draw loads, and is the same every time") {
    // Whatever a student draws is one of the values checked above; here just make sure the
    // draw itself works for every lab and is reproducible.
    for (const auto& f : catalogue_files()) {
      INFO("lab " << stem(f));
      LoadOptions opt;
      opt.student = "student-42";
      try {
        const Lab a = load_lab(f.string(), opt);
        const Lab b = load_lab(f.string(), opt);
        REQUIRE(a.vars.size() == b.vars.size());
        for (std::size_t i = 0; i < a.vars.size(); ++i) CHECK(a.vars[i].value == b.vars[i].value);
      } catch (const LabError& e) {
        FAIL_CHECK("does not load for a student: " << e.what());
      }
    }
  }
}

// Chinese in a lab's text is a quote from the reference article: the lab names the article
// (its title and an English one) and every line with Chinese also carries English, so a
// reader without Chinese knows what it says and where it is from (issue 18).
TEST_CASE("catalogue: a quote from the reference article is translated and cited") {
  const std::string title = "\"TCP连接的状态详解以及故障排查\" (\"TCP connection states explained, and troubleshooting\")";
  auto has_cjk = [](const std::string& line) {  // U+4E00-U+9FFF are 3-byte UTF-8 from E4 to E9
    for (unsigned char c : line)
      if (c >= 0xE4 && c <= 0xE9) return true;
    return false;
  };
  for (const auto& f : catalogue_files()) {
    std::ifstream in(f);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream lines(text);
    std::string line;
    bool any = false;
    while (std::getline(lines, line)) {
      if (!has_cjk(line)) continue;
      any = true;
      INFO(stem(f) << ": " << line);
      std::size_t ascii_letters = 0;
      for (unsigned char c : line) ascii_letters += std::isalpha(c) && c < 0x80;
      CHECK(ascii_letters >= 20);  // the translation or the English around it, not Chinese alone
    }
    if (any) {
      INFO(stem(f) << " quotes the article without naming it: write 'the article tcplab grew from, " << title << "'");
      std::string flat;  // the text with each run of spaces and line breaks as one space
      for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) flat += c;
        else if (flat.empty() || flat.back() != ' ') flat += ' ';
      CHECK(flat.find("article tcplab grew from, " + title) != std::string::npos);
    }
  }
}
