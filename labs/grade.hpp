#pragma once
// Grading a student's answers file (TOML):
//   lab = "handshake"            the lab (a built-in name or a path)
//   student = "s1234"            draws that student's variant of the lab's variables
//   predictions = ["SYN_SENT", "S 0 - 0", ...]   scored like `tcplab step`, in order; or
//   lab_file = "my-lab.toml"     a lab the student wrote (relative to the answers file); it must
//   require = ["states", ...]    pass its own checks and use each of these check kinds.
// Errors are `file:line:col: what is wrong`, as for lab files.
#include <string>
#include <vector>

#include "labs/junit.hpp"
#include "labs/lab.hpp"

namespace tcplab {

struct Answers {
  std::string path;
  std::string lab, student;
  bool has_predictions = false;
  std::vector<std::string> predictions;
  std::string lab_file;               // resolved against the answers file's directory
  std::vector<std::string> require;   // check kinds the student's lab must use
};

// Reads and validates an answers file; throws LabError.
Answers load_answers(const std::string& path);
Answers parse_answers(const std::string& text, const std::string& path);

struct GradeResult {
  TestSuiteReport suite;  // one case per prediction, or per check plus the goal
  double points = 0, max_points = 0;
  bool pass = false;      // every prediction right / every check and the goal met
  std::string text;       // what `tcplab grade` prints
};

// Grades the answers; throws LabError when the lab (or the student's lab) is bad input.
GradeResult grade(const Answers& a);

}  // namespace tcplab
