#include "labs/grader_formats.hpp"

#include <iostream>

#include <fmt/format.h>

#include "labs/canvas.hpp"

namespace tcplab {
namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; }

// "handshake: 3 of 3 checks passed" lines and each failure's story, as plain text.
std::string text_summary(const std::vector<TestSuiteReport>& suites) {
  std::string out;
  for (const auto& s : suites) {
    if (!s.error.empty()) {
      out += s.name + ": could not run: " + s.error + "\n";
      continue;
    }
    std::size_t pass = 0;
    for (const auto& c : s.cases) pass += c.pass ? 1 : 0;
    out += fmt::format("{}: {} of {} checks passed\n", s.name, pass, s.cases.size());
    for (const auto& c : s.cases) {
      out += (c.pass ? "  PASS  " : "  FAIL  ") + c.name + "\n";
      if (!c.pass) out += c.message;
    }
  }
  return out;
}

// A check's name as the platforms list it: "lab: check" when several labs are graded.
std::string case_name(const TestSuiteReport& s, const TestCaseReport& c, std::size_t n_suites) {
  return n_suites > 1 ? s.name + ": " + c.name : c.name;
}

// A reStructuredText literal block: "::", a blank line, the text indented.
std::string rst_literal(const std::string& text) {
  std::string out = "::\n\n";
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += line.empty() ? "\n" : "    " + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out + "\n";
}

// Backslashes and the inline markup characters of reStructuredText, escaped in running text.
std::string rst_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '*' || c == '`' || c == '|' || c == '_') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

bool ReportPaths::to_stdout() const {
  for (const auto* p : {&json, &junit, &prairielearn, &inginious, &coderunner})
    if (*p == "-") return true;
  return false;
}

double ReportScore::fraction() const {
  if (max_score <= 0) return passed ? 1.0 : 0.0;
  return score / max_score;
}

ReportScore report_score(const std::vector<TestSuiteReport>& suites) {
  ReportScore r;
  for (const auto& s : suites) {
    if (!s.error.empty()) {
      r.max_score += 1;
      r.passed = r.loaded = false;
    }
    for (const auto& c : s.cases) {
      r.score += c.score;
      r.max_score += c.max_score;
      r.passed = r.passed && c.pass;
    }
  }
  return r;
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0U);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// PrairieLearn (docs "External Grading", "Grading results"): `score` in [0, 1] is the only
// required key of a gradable result; `gradable: false` with `format_errors` marks input that
// could not be graded (a lab file that does not load: no attempt is used up); `tests[]` has
// name, description, points, max_points, message, output; `images[]` has label and url.
Json prairielearn_results(const std::vector<TestSuiteReport>& suites, const std::vector<ReportImage>& images) {
  const ReportScore sc = report_score(suites);
  Json j;
  if (!sc.loaded) {
    j["gradable"] = false;
    Json errors = Json::array();
    for (const auto& s : suites)
      if (!s.error.empty()) errors.push_back(s.name + ": " + s.error);
    j["format_errors"] = errors;
    return j;
  }
  j["gradable"] = true;
  j["score"] = sc.fraction();
  j["message"] = fmt::format("{} of {} checks passed", sc.score, sc.max_score);
  j["output"] = text_summary(suites);
  Json imgs = Json::array();
  for (const auto& im : images) imgs.push_back(Json{{"label", im.label}, {"url", "data:image/png;base64," + base64(im.png)}});
  j["images"] = imgs;
  Json tests = Json::array();
  for (const auto& s : suites)
    for (const auto& c : s.cases) {
      Json t;
      t["name"] = case_name(s, c, suites.size());
      t["description"] = c.type.empty() ? s.name : s.name + " (" + c.type + " check)";
      t["points"] = c.score;
      t["max_points"] = c.max_score;
      t["message"] = c.pass ? "passed" : "failed";
      t["output"] = c.pass ? c.output : c.message;
      tests.push_back(t);
    }
  j["tests"] = tests;
  return j;
}

std::string rst_feedback(const std::vector<TestSuiteReport>& suites) {
  std::string out;
  for (const auto& s : suites) {
    const std::string title = rst_escape(s.name);
    out += title + "\n" + std::string(title.size(), '=') + "\n\n";
    if (!s.error.empty()) {
      out += "The lab could not run:\n\n" + rst_literal(s.error);
      continue;
    }
    for (const auto& c : s.cases) out += "- " + std::string(c.pass ? "**PASS**" : "**FAIL**") + " " + rst_escape(c.name) + "\n";
    out += "\n";
    for (const auto& c : s.cases)
      if (!c.pass) out += "Why *" + rst_escape(c.name) + "* failed:\n\n" + rst_literal(c.message);
  }
  return out;
}

// INGInious (docs "Run file", feedback commands): a result of success, failed, timeout,
// overflow or crash; a grade from 0 to 100; the feedback text in reStructuredText. A run file
// passes them on with feedback.set_global_result / set_grade / set_global_feedback.
Json inginious_feedback(const std::vector<TestSuiteReport>& suites) {
  const ReportScore sc = report_score(suites);
  Json j;
  j["result"] = sc.passed ? "success" : "failed";
  j["grade"] = 100.0 * sc.fraction();
  j["feedback"] = rst_feedback(suites);
  j["custom"] = Json{{"tcplab_score", sc.score}, {"tcplab_max_score", sc.max_score}};
  return j;
}

// Moodle CodeRunner (combinator template grader): `fraction` in [0, 1]; `testresults`, a
// table whose first row is the column headers, with the special column `iscorrect`;
// `prologuehtml` / `epiloguehtml` around it; `columnformats` %s (text) or %h (HTML) per
// column other than iscorrect.
Json coderunner_result(const std::vector<TestSuiteReport>& suites) {
  const ReportScore sc = report_score(suites);
  Json j;
  j["fraction"] = sc.fraction();
  j["prologuehtml"] = "<p>" + draw::xml_escape(fmt::format("{} of {} checks passed", sc.score, sc.max_score)) + "</p>";
  Json rows = Json::array();
  rows.push_back(Json{"iscorrect", "Lab", "Check", "Expected", "Got"});
  std::string epilogue;
  for (const auto& s : suites) {
    if (!s.error.empty()) {
      rows.push_back(Json{0, s.name, "load", "the lab loads", s.error});
      continue;
    }
    for (const auto& c : s.cases) {
      const std::string expected = c.details.value("expected", std::string());
      const std::string actual = c.details.value("actual", c.pass ? c.output : std::string());
      rows.push_back(Json{c.pass ? 1 : 0, s.name, c.name, expected, actual});
      if (!c.pass) epilogue += "<h4>" + draw::xml_escape(c.name) + "</h4><pre>" + draw::xml_escape(c.message) + "</pre>";
    }
  }
  j["testresults"] = rows;
  j["columnformats"] = Json{"%s", "%s", "%s", "%s"};
  j["epiloguehtml"] = epilogue;
  j["showdifferences"] = false;
  return j;
}

std::string write_reports(const ReportPaths& paths, const std::string& tool, const std::vector<TestSuiteReport>& suites,
                          const std::vector<ReportImage>& images) {
  const struct {
    const std::string* path;
    const char* option;
    std::string (*make)(const std::string&, const std::vector<TestSuiteReport>&, const std::vector<ReportImage>&);
  } kinds[] = {
      {&paths.json, "--json", [](const std::string& t, const auto& s, const auto&) { return dump(report_json(t, s)); }},
      {&paths.junit, "--junit", [](const std::string& t, const auto& s, const auto&) { return junit_xml(t, s); }},
      {&paths.prairielearn, "--prairielearn",
       [](const std::string&, const auto& s, const auto& im) { return dump(prairielearn_results(s, im)); }},
      {&paths.inginious, "--inginious", [](const std::string&, const auto& s, const auto&) { return dump(inginious_feedback(s)); }},
      {&paths.coderunner, "--coderunner", [](const std::string&, const auto& s, const auto&) { return dump(coderunner_result(s)); }},
  };
  for (const auto& k : kinds) {
    if (k.path->empty()) continue;
    const std::string text = k.make(tool, suites, images);
    if (*k.path == "-") {
      std::cout << text << std::flush;
      continue;
    }
    if (auto err = write_file(*k.path, text); !err.empty()) return std::string(k.option) + ": " + err;
  }
  return "";
}

}  // namespace tcplab
