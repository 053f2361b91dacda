#pragma once
// Options every lab-running subcommand shares: --seed, --until, --var, --student.
#include <optional>
#include <string>
#include <vector>

#include "labs/grader_formats.hpp"
#include "labs/lab.hpp"

// CLI11 is declared, not included: this header reaches the visualizer's files through
// viz/session.hpp, and <CLI/CLI.hpp> alone takes ~9 s to compile (gcc -O2).
namespace CLI {
class App;
}

namespace tcplab::cli {

struct LabOptionArgs {
  std::optional<std::uint64_t> seed;
  std::string until;
  std::vector<std::string> vars;
  std::string student;
  std::string max_memory;  // --max-memory, e.g. "4GB"
};

void add_lab_options(CLI::App& sub, LabOptionArgs& a);
// --json, --junit, --prairielearn, --inginious, --coderunner (labs/grader_formats.hpp).
void add_report_options(CLI::App& sub, ReportPaths& p);
// Loads the lab with these options; throws BadInput with a one-line message.
Lab load_common(const std::string& lab, const LabOptionArgs& a);
std::optional<Instant> until_of(const LabOptionArgs& a);
// The memory limit (--max-memory, default labs/budget.hpp); throws BadInput if malformed.
std::uint64_t max_memory_of(const LabOptionArgs& a);
// The command that replays this run, for "reproduce with ...": the lab as the user named it
// (a path keeps its ".toml"), the seed that ran, and the options that change the run.
std::string reproduce_command(const std::string& lab_arg, const Lab& lab, const LabOptionArgs& a);
// Parses a duration option ("2s"); throws BadInput naming the option.
Instant duration_arg(const std::string& option, const std::string& value);
// Parses --size WIDTHxHEIGHT in pixels (200x150 to 10000x10000); throws BadInput.
std::pair<int, int> size_arg(const std::string& value);
// Writes a picture or a report to --out; throws BadInput when it cannot.
void write_output(const std::string& path, const std::string& bytes);

}  // namespace tcplab::cli
