// Grading answers files: predictions scored like `tcplab step` for the student's variant, or
// a student's own lab that must pass its checks and use the required kinds.
#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "labs/grade.hpp"
#include "labs/step.hpp"
#include "lab_fixture.hpp"

using namespace tcplab;
using labtest::contains;

namespace {


std::string error_of(const std::string& text) {
  try {
    parse_answers(text, "answers.toml");
  } catch (const LabError& e) {
    return e.what();
  }
  return "(no error)";
}

// The right predictions for the handshake lab, as TOML strings.
std::vector<std::string> right_answers() {
  const LabRun run = run_lab(load_lab("handshake"), std::nullopt, false);
  std::vector<std::string> v;
  for (const auto& it : step_items(run)) v.push_back(it.answer.substr(0, it.answer.find(" (netstat")));
  return v;
}

std::string toml_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
  return s + "]";
}

}  // namespace

TEST_SUITE("grade: answers files") {
  TEST_CASE("malformed answers files say where and what") {
    CHECK(error_of("lab = \"handshake\"\nstudnet = \"s1\"\n") ==
          "answers.toml:2:1: unknown key 'studnet' in the answers file; did you mean 'student'?");
    CHECK(error_of("lab = \"handshake\"\npredictions = []\n") ==
          "answers.toml:1:1: the answers file has no student (add: student = \"ID\")");
    CHECK(error_of("student = \"s1\"\npredictions = [\"S\"]\n") ==
          "answers.toml:1:1: predictions need lab = \"NAME\" (the lab they predict)");
    CHECK(error_of("lab = \"handshake\"\nstudent = \"s1\"\n") ==
          "answers.toml:1:1: the answers file needs predictions = [...] or lab_file = \"...\"");
    CHECK(error_of("lab = \"handshake\"\nstudent = \"s1\"\npredictions = \"S. 0 1 0\"\n") ==
          "answers.toml:3:15: predictions must be a list of strings, e.g. [\"...\", \"...\"]");
    CHECK(error_of("lab = \"handshake\"\nstudent = \"s1\"\npredictions = [1]\n") ==
          "answers.toml:3:16: predictions entries must be a string");
    CHECK(error_of("lab = \"handshake\"\nstudent = \"s1\"\npredictions = [\"S\"]\nlab_file = \"x.toml\"\n") ==
          "answers.toml:4:12: give either predictions or lab_file, not both");
    CHECK(error_of("lab = \"handshake\"\nstudent = 7\npredictions = []\n") == "answers.toml:2:11: student must be a string");
    CHECK(error_of("student = \"s1\"\nlab_file = \"missing.toml\"\n") ==
          "answers.toml:2:12: lab_file 'missing.toml' does not exist");
    CHECK(contains(error_of("student = \"s1\"\npredictions = [\n"), "answers.toml:2:17: TOML syntax: Error while parsing array: encountered end-of-file"));
  }

  TEST_CASE("require names check kinds, with a suggestion for a typo") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "mine.toml") << labtest::handshake_lab("");
    std::ofstream(dir / "answers.toml") << "student = \"s1\"\nlab_file = \"mine.toml\"\nrequire = [\"states\", \"netsat\"]\n";
    std::string err;
    try {
      load_answers((dir / "answers.toml").string());
    } catch (const LabError& e) {
      err = e.what();
    }
    CHECK(err == (dir / "answers.toml").string() + ":3:22: require: 'netsat' is not a check kind; did you mean 'netstat'?");
  }
}

TEST_SUITE("grade: predictions") {
  TEST_CASE("every prediction right: full score, pass") {
    Answers a = parse_answers("lab = \"handshake\"\nstudent = \"s1\"\npredictions = " + toml_list(right_answers()) + "\n",
                              "answers.toml");
    const GradeResult g = grade(a);
    CHECK(g.pass);
    CHECK(g.points == 51);
    CHECK(g.max_points == 51);
    CHECK(g.suite.cases.size() == 21);
    CHECK(g.suite.cases[0].name == "[1] server 10.0.0.2:9502: state");
    CHECK(contains(g.text, "score: 51/51\n"));
  }

  TEST_CASE("a wrong and a missing prediction cost their points") {
    auto v = right_answers();
    v[4] = "S. 0 0 0";  // the SYN-ACK's ack is wrong
    v.pop_back();       // the last one missing
    const GradeResult g =
        grade(parse_answers("lab = \"handshake\"\nstudent = \"s1\"\npredictions = " + toml_list(v) + "\n", "answers.toml"));
    CHECK_FALSE(g.pass);
    CHECK(g.points == 51 - 1 - 1);
    CHECK(g.max_points == 51);
    CHECK_FALSE(g.suite.cases[4].pass);
    CHECK(contains(g.suite.cases[4].message, "ack 1 wrong (you said 0)"));
    CHECK(contains(g.text, "WRONG  [5] server 10.0.0.2:9502: segment  3/4  (said \"S. 0 0 0\"; answer S. 0 1 0)"));
  }

  TEST_CASE("tcplab grade writes JUnit and JSON and exits 1 when something is wrong") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "answers.toml") << "lab = \"handshake\"\nstudent = \"s1\"\npredictions = [\"LISTEN\", \"SYN_SENT\"]\n";
    const auto r = labtest::tcplab_cmd("grade answers.toml --junit g.xml --json g.json", "", dir.string());
    CHECK(r.rc == 1);
    CHECK(contains(r.out, "score: 2/51\n"));
    const auto j = nlohmann::json::parse(labtest::slurp(dir / "g.json"));
    CHECK(j["tool"] == "tcplab grade");
    CHECK(j["score"] == 2);
    CHECK(j["max_score"] == 51);
    CHECK(j["tests"].size() == 21);
    const std::string x = labtest::slurp(dir / "g.xml");
    CHECK(contains(x, "<testsuite name=\"handshake (s1)\""));
    CHECK(contains(x, "<property name=\"student\" value=\"s1\"/>"));
  }

  TEST_CASE("tcplab step and tcplab grade show a multiple-choice question's choices (issue 18)") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "mc.toml") << labtest::handshake_lab(
        "[[question]]\nat = \"1\"\ntext = \"Who sends the first SYN?\"\nchoices = [\"the server\", \"the client\"]\nanswer = 2\n"
        "[[question]]\nat = \"1\"\ntext = \"Why?\"\nkeywords = [\"connect|active open\"]\n");
    const auto s = labtest::tcplab_cmd("step mc.toml", "the client\nit called connect()\n", dir.string());
    CHECK(s.rc == 0);
    CHECK(contains(s.out, "[Q1] Who sends the first SYN?\n    1) the server\n    2) the client\n  your choice (1-2): the client\n"
                          "  right: 1/1\n  answer: 2) the client\n"));
    CHECK(contains(s.out, "[Q2] Why? it called connect()\n  right: 1/1\n  answer: an answer naming (\"connect\" or \"active open\")\n"));
    std::ofstream(dir / "mc-answers.toml") << "lab = \"mc.toml\"\nstudent = \"s1\"\npredictions = [\"1\", \"because\"]\n";
    const auto g = labtest::tcplab_cmd("grade mc-answers.toml --json mc.json", "", dir.string());
    CHECK(g.rc == 1);
    CHECK(contains(g.out, "  WRONG  [Q1] Who sends the first SYN?  0/1  (said \"1\"; answer 2) the client)\n"
                          "         1) the server\n         2) the client\n"));
    CHECK(contains(g.out, "  WRONG  [Q2] Why?  0/1  (said \"because\"; answer an answer naming (\"connect\" or \"active open\"))\n"));
    const auto j = nlohmann::json::parse(labtest::slurp(dir / "mc.json"));
    CHECK(j["tests"][0]["name"] == "mc (s1): [Q1] Who sends the first SYN?");
  }

  TEST_CASE("tcplab grade on a malformed answers file is bad input") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "bad-answers.toml") << "lab = \"handshake\"\nstudnet = \"s1\"\n";
    const auto r = labtest::tcplab_cmd("grade bad-answers.toml", "", dir.string());
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: bad-answers.toml:2:1: unknown key 'studnet' in the answers file; did you mean 'student'?\n");
  }
}

TEST_SUITE("grade: a student's own lab") {
  TEST_CASE("passes its checks and uses the required kinds") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "own.toml") << labtest::handshake_lab(
        "[[check]]\nkind = \"states\"\nhost = \"server\"\nconn = \"listen\"\nexpect = [\"CLOSED\", \"LISTEN\"]\n"
        "[[check]]\nkind = \"netstat\"\nhost = \"client\"\nat = \"30s\"\nstate = \"TIME_WAIT\"\nexpect = 1\n");
    std::ofstream(dir / "own-answers.toml") << "lab = \"time-wait\"\nstudent = \"s2\"\nlab_file = \"own.toml\"\nrequire = [\"states\", \"netstat\"]\n";
    const GradeResult g = grade(load_answers((dir / "own-answers.toml").string()));
    CHECK(g.pass);
    CHECK(g.suite.name == "time-wait (s2)");
    CHECK(g.suite.cases.size() == 3);
    CHECK(g.suite.cases.back().name == "goal: the lab has checks of kind states, netstat");
  }

  TEST_CASE("misses a required kind: the goal fails and says which") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "own2.toml") << labtest::handshake_lab(
        "[[check]]\nkind = \"final_state\"\nhost = \"server\"\nexpect = \"CLOSED\"\n");
    std::ofstream(dir / "own2-answers.toml") << "student = \"s3\"\nlab_file = \"own2.toml\"\nrequire = [\"final_state\", \"intervals\"]\n";
    const auto r = labtest::tcplab_cmd("grade own2-answers.toml", "", dir.string());
    CHECK(r.rc == 1);
    CHECK(contains(r.out, "  PASS  final_state #1\n"));
    CHECK(contains(r.out, "  FAIL  goal: the lab has checks of kind final_state, intervals\n"));
    CHECK(contains(r.out, "the lab has no check of kind intervals"));
    CHECK(contains(r.out, "score: 1/2\n"));
  }

  TEST_CASE("a student's lab with an error is bad input with its position") {
    const auto dir = labtest::scratch_dir();
    std::ofstream(dir / "own3.toml") << "title = \"x\"\n[[host]]\nnmae = \"a\"\n";
    std::ofstream(dir / "own3-answers.toml") << "student = \"s4\"\nlab_file = \"own3.toml\"\n";
    const auto r = labtest::tcplab_cmd("grade own3-answers.toml", "", dir.string());
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: own3.toml:3:1: unknown key 'nmae' in [[host]]; did you mean 'name'?\n");
  }
}
