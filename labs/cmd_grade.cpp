// `tcplab grade ANSWERS`: scores a student's answers file (predictions for a lab, or a lab
// the student wrote) and writes JSON and JUnit for the grading platform.
#include <iostream>

#include "labs/cli.hpp"
#include "labs/grade.hpp"
#include "labs/options.hpp"

namespace tcplab::cli {
namespace {

struct GradeArgs {
  std::string answers;
  ReportPaths reports;
};

int run_grade(const GradeArgs& a) {
  GradeResult g;
  try {
    g = grade(load_answers(a.answers));
  } catch (const LabError& e) {
    throw BadInput(e.what());
  }
  if (!a.reports.to_stdout()) std::cout << g.text;  // a report on standard output replaces the text
  if (auto err = write_reports(a.reports, "tcplab grade", {g.suite}); !err.empty()) throw BadInput(err);
  return g.pass ? kOk : kCheckFailed;
}

}  // namespace

Command grade_command() {
  return {"grade", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<GradeArgs>();
    sub.add_option("ANSWERS", a->answers, "the student's answers file (TOML)")->required();
    add_report_options(sub, a->reports);
    sub.footer("An answers file is TOML:\n"
               "  lab = \"handshake\"\n  student = \"s1234\"\n  predictions = [\"LISTEN\", \"SYN_SENT\", \"S 0 - 0\", ...]\n"
               "or a lab the student wrote, which must pass its checks and use the required kinds:\n"
               "  student = \"s1234\"\n  lab_file = \"my-lab.toml\"\n  require = [\"states\", \"segment\"]\n"
               "Exit codes: 0 all right, 1 something wrong, 2 bad input.");
    return [a] { return run_grade(*a); };
  }, "grade a student's answers file (predictions, or their own lab) for JUnit/JSON"};
}

}  // namespace tcplab::cli
