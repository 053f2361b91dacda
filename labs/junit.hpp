#pragma once
// Reports for graders: one model of suites and test cases, written as JUnit XML (what GitHub
// Classroom, Gradescope and Moodle read) and as JSON (Gradescope's results.json shape:
// score, max_score, tests[], plus tcplab's own per-check details).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "labs/runner.hpp"

namespace tcplab {

struct TestCaseReport {
  std::string name;
  std::string classname;       // "tcplab.handshake"
  bool pass = false;
  std::string type;            // the check kind (the <failure type>)
  std::string message;         // the narrated failure (also the <failure> body)
  std::string output;          // <system-out>: what a passing case found
  double score = 0, max_score = 1;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();  // extra JSON fields
};

struct TestSuiteReport {
  std::string name;            // the lab
  std::vector<std::pair<std::string, std::string>> properties;  // seed, student, variables
  std::vector<TestCaseReport> cases;
  std::string error;           // bad input: the suite could not run (an <error> case)
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};

// Escapes text for XML (attribute values also escape quotes and line breaks); drops the
// characters XML 1.0 forbids and replaces bytes that are not UTF-8.
std::string xml_escape(std::string_view text, bool attribute);

// The whole report as JUnit XML: <testsuites> with one <testsuite> per suite.
std::string junit_xml(const std::string& name, const std::vector<TestSuiteReport>& suites);

// The whole report as JSON: {tool, score, max_score, passed, suites[], tests[]}.
nlohmann::ordered_json report_json(const std::string& tool, const std::vector<TestSuiteReport>& suites);

// The checks of a finished run as a suite; `reproduce` is the command that replays it.
TestSuiteReport check_suite(const LabRun& run, const std::string& reproduce);

// Writes text to a file; returns "" or what went wrong.
std::string write_file(const std::string& path, const std::string& text);

// Every report format, written by write_reports: labs/grader_formats.hpp.

}  // namespace tcplab
