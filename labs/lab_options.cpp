#include "labs/options.hpp"

#include <cstdio>
#include <fstream>

#include "labs/cli.hpp"

namespace tcplab::cli {

void add_lab_options(CLI::App& sub, LabOptionArgs& a) {
  sub.add_option("--seed", a.seed, "the seed (default: the lab's); the same seed gives the same trace");
  sub.add_option("--until", a.until, "stop at this virtual time, e.g. 90s");
  sub.add_option("--var", a.vars, "set one of the lab's [vars], e.g. --var outage=1500ms (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub.add_option("--student", a.student, "draw this student's variant of the lab's variables");
  sub.add_option("--max-memory", a.max_memory,
                 "refuse a lab that would need more memory than this, and stop a run that reaches it (default 4GB)");
}

void add_report_options(CLI::App& sub, ReportPaths& p) {
  sub.add_option("--json", p.json, "write the results as JSON (Gradescope results.json shape) to this file (- : stdout)");
  sub.add_option("--junit", p.junit, "write JUnit XML to this file: one <testsuite> per lab, one <testcase> per check");
  sub.add_option("--prairielearn", p.prairielearn,
                 "write PrairieLearn's external-grader results.json (score 0-1, tests, the ladder as an image) to this file");
  sub.add_option("--inginious", p.inginious,
                 "write the result, grade (0-100) and reStructuredText feedback for an INGInious run file to this file");
  sub.add_option("--coderunner", p.coderunner,
                 "write Moodle CodeRunner's combinator-grader JSON to this file (- : stdout, as a template prints it)");
}

std::string reproduce_command(const std::string& lab_arg, const Lab& lab, const LabOptionArgs& a) {
  std::string s = "tcplab run " + lab_arg + " --seed " + std::to_string(lab.seed);
  if (!a.student.empty()) s += " --student " + a.student;
  for (const auto& v : a.vars) s += " --var " + v;
  if (!a.until.empty()) s += " --until " + a.until;
  return s;
}

Instant duration_arg(const std::string& option, const std::string& value) {
  std::string err;
  auto d = parse_duration(value, &err);
  if (!d) throw BadInput(option + ": " + err);
  return *d;
}

std::pair<int, int> size_arg(const std::string& s) {
  int w = 0, h = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 200 || h < 150 || w > 10000 || h > 10000)
    throw BadInput("--size: '" + s + "' is not WIDTHxHEIGHT in pixels (200x150 to 10000x10000), e.g. 900x500");
  return {w, h};
}

void write_output(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw BadInput("--out: cannot open '" + path + "' for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw BadInput("--out: error writing '" + path + "'");
}

std::optional<Instant> until_of(const LabOptionArgs& a) {
  if (a.until.empty()) return std::nullopt;
  return duration_arg("--until", a.until);
}

std::uint64_t max_memory_of(const LabOptionArgs& a) {
  if (a.max_memory.empty()) return kDefaultMaxMemory;
  const auto n = parse_memory_size(a.max_memory);
  if (!n) throw BadInput("--max-memory: '" + a.max_memory + "' is not a size (e.g. 512MB, 4GB)");
  return *n;
}

Lab load_common(const std::string& lab, const LabOptionArgs& a) {
  LoadOptions o;
  o.seed = a.seed;
  o.max_memory = max_memory_of(a);
  if (!a.student.empty()) o.student = a.student;
  for (const auto& kv : a.vars) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw BadInput("--var " + kv + ": expected NAME=VALUE");
    o.vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    return load_lab(lab, o);
  } catch (const LabError& e) {
    throw BadInput(e.what());
  }
}

}  // namespace tcplab::cli
