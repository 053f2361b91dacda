#pragma once
// The results of `tcplab check` and `tcplab grade` in the formats teaching platforms read,
// each from the one report model of labs/junit.hpp (suites of check cases):
//   --json F          Gradescope's results.json (score, max_score, tests[]) plus tcplab's details
//   --junit F         JUnit XML (GitHub Classroom, CI servers)
//   --prairielearn F  PrairieLearn's external-grader results.json (score 0-1, gradable, tests[]
//                     with points/max_points, images[] with the ladder as a PNG data URL)
//   --inginious F     what INGInious's feedback API takes (result, grade 0-100, reStructuredText
//                     feedback), for a run file to pass on (labs/README.md "Graders")
//   --coderunner F    Moodle CodeRunner's combinator-template-grader JSON (fraction 0-1,
//                     testresults table with an iscorrect column, prologue/epilogue HTML)
// A path of "-" writes that report to standard output instead of the text (CodeRunner reads
// the template's standard output).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "labs/junit.hpp"

namespace tcplab {

struct ReportPaths {
  std::string json, junit, prairielearn, inginious, coderunner;
  // Some report goes to standard output: the human text must not.
  bool to_stdout() const;
};

// A picture that goes with the results (PrairieLearn shows them; the others ignore them).
struct ReportImage {
  std::string label;
  std::string png;  // the PNG file's bytes
};

// Score over all suites: every check counts one; a suite that could not load counts one, failed.
struct ReportScore {
  double score = 0, max_score = 0;
  bool passed = true;      // every check of every suite passed and every suite loaded
  bool loaded = true;      // every suite loaded (no bad input)
  double fraction() const; // score / max_score in [0, 1]; 1 for an empty report that passed
};
ReportScore report_score(const std::vector<TestSuiteReport>& suites);

nlohmann::ordered_json prairielearn_results(const std::vector<TestSuiteReport>& suites,
                                            const std::vector<ReportImage>& images);
nlohmann::ordered_json inginious_feedback(const std::vector<TestSuiteReport>& suites);
nlohmann::ordered_json coderunner_result(const std::vector<TestSuiteReport>& suites);

// The feedback as reStructuredText (INGInious renders it): a section per lab, a line per check,
// each failure's story in a literal block.
std::string rst_feedback(const std::vector<TestSuiteReport>& suites);

// Base64 (RFC 4648 section 4, with padding), for data: URLs.
std::string base64(const std::string& bytes);

// Writes every report whose path is set ("-": standard output); returns "" or the error,
// naming the option ("--junit: cannot open ...").
std::string write_reports(const ReportPaths& paths, const std::string& tool, const std::vector<TestSuiteReport>& suites,
                          const std::vector<ReportImage>& images = {});

}  // namespace tcplab
