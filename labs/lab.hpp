#pragma once
// A lab: a scenario (hosts, links, apps, faults) plus what must happen (checks), the text a
// student reads, per-student parameters and questions. Loaded from TOML with strict
// checking: every error is `file:line:col: what is wrong`, never a crash or a silent default.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "labs/check.hpp"
#include "labs/budget.hpp"
#include "sim/world.hpp"

namespace tcplab {

// Where something was written, for messages.
struct SourcePos {
  std::string file;
  int line = 0, col = 0;
  std::string str() const;  // "labs/x.toml:3:7"
};

struct LabError : std::runtime_error {
  SourcePos pos;
  LabError(SourcePos p, const std::string& what) : std::runtime_error(p.str() + ": " + what), pos(std::move(p)) {}
};

struct HostSpec {
  std::string name;
  Ipv4 ip = 0;
  TcpConfig tcp;
  std::uint16_t port_lo = 32768, port_hi = 60999;
  SourcePos pos;
};

struct PathSpec {  // link settings for one pair of hosts (both ways, or one direction)
  std::string a, b;
  bool one_way = false;
  LinkParams params;
  SourcePos pos;
};

// One check over the trace as written in the lab file; labs/check_schema validates it and
// reads it into a typed Check (kind decides which fields it takes).
struct CheckSpec {
  std::string kind;   // states, final_state, time_in_state, segments, bytes, segment, app_error, netstat, ...
  std::string name;   // shown in verdicts and JUnit
  std::map<std::string, std::string> args;  // scalar arguments as written (strings, numbers, bools)
  std::vector<std::string> list;            // `expect = [..]` for kinds that take a list
  SourcePos pos;
};

struct VarSpec {
  std::string name;
  std::vector<std::string> choices;  // drawn from these, or
  std::optional<std::int64_t> min, max;  // an integer in [min, max]
  std::string value;                 // the drawn or given value
  SourcePos pos;
};

// A [[question]] is answered in one of four ways (labs/question.hpp scores them):
//   answer = "text"                       the exact text (case and spacing aside);
//   choices = [...], answer = N | "text"  multiple choice: the number (1-based) or the text;
//   keywords = ["A", "B|C"]               every entry must appear (case-insensitive), each
//                                         entry's alternatives separated by '|';
//   pattern = "regex"                     ECMAScript, case-insensitive, found anywhere.
struct QuestionSpec {
  std::string at;       // a segment id ("A>B#3") or a state event index; see labs/step
  std::string text;
  std::string answer;                  // the exact text, or the right choice's text
  std::vector<std::string> choices;    // multiple choice when not empty
  std::size_t choice = 0;              // the right choice, 1-based (with choices)
  std::vector<std::string> keywords;   // each "alt1|alt2|..."
  std::string pattern;                 // a regex (validated when the lab is read)
  SourcePos pos;
};

struct Lab {
  std::string name;     // catalogue name or file stem
  std::string path;
  std::string title, goal, explanation;
  std::uint64_t seed = 1;
  Instant until = sec(600);
  std::vector<HostSpec> hosts;
  LinkParams link;      // the default for every pair
  std::vector<PathSpec> paths;
  std::vector<BottleneckSpec> bottlenecks;
  std::vector<AppSpec> apps;
  std::vector<FaultRule> faults;
  std::vector<CheckSpec> checks;
  std::vector<Check> typed_checks;  // checks[i] validated and typed; empty in a Lab built in code
  std::vector<VarSpec> vars;
  std::vector<QuestionSpec> questions;
};

struct LoadOptions {
  std::optional<std::uint64_t> seed;          // --seed
  std::optional<std::string> student;         // --student ID: draws the per-student variant
  std::map<std::string, std::string> vars;    // --var k=v
  std::uint64_t max_memory = kDefaultMaxMemory;  // --max-memory: a lab that needs more is refused
};

// Resolves LAB as a catalogue name or a path; throws LabError.
std::string resolve_lab_path(const std::string& lab);
// The catalogue directory (built-in labs).
std::string catalogue_dir();
std::vector<std::string> catalogue_names();

Lab load_lab(const std::string& lab, const LoadOptions& opt = {});
Lab parse_lab(const std::string& text, const std::string& path, const LoadOptions& opt = {});

// A fresh world for the lab, ready to run.
World build_world(const Lab& lab);

// Parses "10.0.0.1".."255.255.255.255", "1Gbps"/"100Mbps"/"64kbps", "1%"/"0.01"/"1/100".
std::optional<std::uint64_t> parse_rate(const std::string& s);

}  // namespace tcplab
