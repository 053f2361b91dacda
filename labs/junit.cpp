#include "labs/junit.hpp"

#include <fstream>

#include "labs/report.hpp"

namespace tcplab {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b < 0x80) return 1;
  if ((b & 0xe0) == 0xc0) n = 2, cp = b & 0x1f;
  else if ((b & 0xf0) == 0xe0) n = 3, cp = b & 0x0f;
  else if ((b & 0xf8) == 0xf0) n = 4, cp = b & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (c & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8; U+FFFE/U+FFFF are not XML.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe || cp == 0xffff) return 0;
  return n;
}


}  // namespace

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t n = utf8_len(text, i);
      if (n == 0) {
        out += '?';
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\'': out += attribute ? "&apos;" : "'"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\x1b': {
        // An ANSI colour sequence ("\033[31m") has no place in a report: drop it whole.
        if (i < text.size() && text[i] == '[') {
          while (i < text.size() && !(text[i] >= '@' && text[i] <= '~' && text[i] != '[')) ++i;
          if (i < text.size()) ++i;
        }
        break;
      }
      default:
        if (u < 0x20) break;  // not allowed in XML 1.0
        out += c;
    }
  }
  return out;
}

std::string junit_xml(const std::string& name, const std::vector<TestSuiteReport>& suites) {
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const auto& s : suites) {
    if (!s.error.empty()) {
      ++tests;
      ++errors;
    }
    for (const auto& c : s.cases) {
      ++tests;
      failures += c.pass ? 0 : 1;
    }
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"" + xml_escape(name, true) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" time=\"0\">\n";
  for (std::size_t si = 0; si < suites.size(); ++si) {
    const auto& s = suites[si];
    std::size_t f = 0;
    for (const auto& c : s.cases) f += c.pass ? 0 : 1;
    const std::size_t e = s.error.empty() ? 0 : 1;
    x += "  <testsuite name=\"" + xml_escape(s.name, true) + "\" id=\"" + std::to_string(si) + "\" tests=\"" +
         std::to_string(s.cases.size() + e) + "\" failures=\"" + std::to_string(f) + "\" errors=\"" +
         std::to_string(e) + "\" skipped=\"0\" time=\"0\">\n";
    if (!s.properties.empty()) {
      x += "    <properties>\n";
      for (const auto& [k, v] : s.properties)
        x += "      <property name=\"" + xml_escape(k, true) + "\" value=\"" + xml_escape(v, true) + "\"/>\n";
      x += "    </properties>\n";
    }
    if (!s.error.empty()) {
      x += "    <testcase name=\"" + xml_escape(s.name, true) + " (load)\" classname=\"tcplab." + xml_escape(s.name, true) +
           "\" time=\"0\">\n";
      x += "      <error message=\"" + xml_escape(s.error, true) + "\" type=\"bad input\">" + xml_escape(s.error, false) +
           "</error>\n";
      x += "    </testcase>\n";
    }
    for (const auto& c : s.cases) {
      x += "    <testcase name=\"" + xml_escape(c.name, true) + "\" classname=\"" + xml_escape(c.classname, true) +
           "\" time=\"0\"";
      if (c.pass && c.output.empty()) {
        x += "/>\n";
        continue;
      }
      x += ">\n";
      if (!c.pass)
        x += "      <failure message=\"" + xml_escape(c.message, true) + "\" type=\"" + xml_escape(c.type, true) + "\">" +
             xml_escape(c.message, false) + "</failure>\n";
      if (!c.output.empty()) x += "      <system-out>" + xml_escape(c.output, false) + "</system-out>\n";
      x += "    </testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

nlohmann::ordered_json report_json(const std::string& tool, const std::vector<TestSuiteReport>& suites) {
  nlohmann::ordered_json j;
  double score = 0, max_score = 0;
  bool passed = true;
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  nlohmann::ordered_json js = nlohmann::ordered_json::array();
  for (const auto& s : suites) {
    nlohmann::ordered_json sj;
    sj["name"] = s.name;
    for (const auto& [k, v] : s.properties) sj["properties"][k] = v;
    for (const auto& [k, v] : s.details.items()) sj[k] = v;
    sj["error"] = s.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.error);
    bool suite_pass = s.error.empty();
    nlohmann::ordered_json cases = nlohmann::ordered_json::array();
    for (const auto& c : s.cases) {
      nlohmann::ordered_json cj;
      cj["name"] = c.name;
      cj["kind"] = c.type;
      cj["pass"] = c.pass;
      for (const auto& [k, v] : c.details.items()) cj[k] = v;
      cj["message"] = c.message;
      cases.push_back(cj);
      suite_pass = suite_pass && c.pass;
      score += c.score;
      max_score += c.max_score;
      nlohmann::ordered_json t;
      t["name"] = s.name + ": " + c.name;
      t["score"] = c.score;
      t["max_score"] = c.max_score;
      t["status"] = c.pass ? "passed" : "failed";
      t["output"] = c.pass ? c.output : c.message;
      tests.push_back(t);
    }
    if (!s.error.empty()) {
      nlohmann::ordered_json t;
      t["name"] = s.name + ": load";
      t["score"] = 0;
      t["max_score"] = 1;
      t["status"] = "failed";
      t["output"] = s.error;
      tests.push_back(t);
      max_score += 1;
    }
    sj["passed"] = suite_pass;
    sj["cases"] = cases;
    passed = passed && suite_pass;
    js.push_back(sj);
  }
  j["tool"] = tool;
  j["score"] = score;
  j["max_score"] = max_score;
  j["passed"] = passed;
  j["suites"] = js;
  j["tests"] = tests;
  return j;
}

TestSuiteReport check_suite(const LabRun& run, const std::string& reproduce) {
  TestSuiteReport s;
  s.name = run.lab.name;
  s.properties.emplace_back("seed", std::to_string(run.lab.seed));
  for (const auto& v : run.lab.vars) s.properties.emplace_back("var." + v.name, v.value);
  s.details["path"] = run.lab.path;
  s.details["seed"] = run.lab.seed;
  s.details["reproduce"] = reproduce;
  s.details["summary"] = verdict_summary(run.results);
  for (const auto& r : run.results) {
    TestCaseReport c;
    c.name = r.name;
    c.classname = "tcplab." + run.lab.name;
    c.pass = r.pass;
    c.type = r.kind;
    c.score = r.pass ? 1 : 0;
    c.max_score = 1;
    if (!r.pass) c.message = narrate(r, reproduce, false);
    else c.output = r.actual;
    c.details["pos"] = r.pos.str();
    c.details["expected"] = r.expected;
    c.details["actual"] = r.actual;
    c.details["evidence"] = r.evidence;
    c.details["evidence_seq_no"] = r.evidence_seq_no;
    c.details["steps"] = r.steps;
    s.cases.push_back(std::move(c));
  }
  return s;
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return "cannot open '" + path + "' for writing";
  out << text;
  out.flush();
  if (!out) return "error writing '" + path + "'";
  return "";
}

}  // namespace tcplab
