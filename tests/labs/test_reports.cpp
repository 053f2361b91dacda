// JUnit XML and JSON reports: escaping, well-formedness (checked by a small XML reader here,
// and by python3's parser when the machine has one), one <testcase> per check.
#include <doctest/doctest.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "labs/junit.hpp"
#include "lab_fixture.hpp"

using namespace tcplab;
using labtest::contains;

namespace {


// A small XML 1.0 reader: enough to say whether a document is well-formed (nested tags that
// match, quoted attributes without '<', known entities only, no raw '&' or control bytes) and
// to count elements by name. Returns "" or what is wrong.
std::string xml_problem(const std::string& x, std::map<std::string, int>* counts) {
  std::size_t i = 0;
  std::vector<std::string> open;
  auto entity = [&](std::size_t at) -> bool {
    const auto semi = x.find(';', at);
    if (semi == std::string::npos || semi - at > 8) return false;
    const std::string e = x.substr(at + 1, semi - at - 1);
    if (e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos") return true;
    if (e.size() >= 2 && e[0] == '#') return e.find_first_not_of("0123456789", 1) == std::string::npos;
    return false;
  };
  auto text_ok = [&](std::size_t from, std::size_t to) -> bool {
    for (std::size_t k = from; k < to; ++k) {
      const auto c = static_cast<unsigned char>(x[k]);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
      if (c == '&' && !entity(k)) return false;
    }
    return true;
  };
  if (x.rfind("<?xml ", 0) == 0) i = x.find("?>") + 2;
  bool root_done = false;
  while (i < x.size()) {
    const auto lt = x.find('<', i);
    if (lt == std::string::npos) {
      if (!text_ok(i, x.size())) return "bad text at the end";
      if (x.find_first_not_of(" \n\r\t", i) != std::string::npos) return "text after the root";
      break;
    }
    if (!text_ok(i, lt)) return "bad character or entity in text before offset " + std::to_string(lt);
    if (open.empty() && x.substr(i, lt - i).find_first_not_of(" \n\r\t") != std::string::npos) return "text outside the root";
    const auto gt = x.find('>', lt);
    if (gt == std::string::npos) return "unclosed tag";
    std::string tag = x.substr(lt + 1, gt - lt - 1);
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag.substr(1) + ">";
      open.pop_back();
      if (open.empty()) root_done = true;
      i = gt + 1;
      continue;
    }
    if (root_done) return "a second root element";
    const bool self = tag.back() == '/';
    if (self) tag.pop_back();
    const auto sp = tag.find_first_of(" \n\t");
    const std::string name = tag.substr(0, sp);
    if (name.empty() || name.find_first_of("\"'=<&") != std::string::npos) return "bad element name '" + name + "'";
    // Attributes: name="value" pairs; a '>' inside a value would have ended the tag early, so
    // values are checked for '<' and bad entities, and quotes must pair up.
    std::size_t k = sp == std::string::npos ? tag.size() : sp;
    while (k < tag.size()) {
      while (k < tag.size() && std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
      if (k >= tag.size()) break;
      const auto eq = tag.find('=', k);
      if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"') return "attribute without =\"...\" in <" + name + ">";
      const auto end = tag.find('"', eq + 2);
      if (end == std::string::npos) return "unterminated attribute in <" + name + ">";
      const std::string value = tag.substr(eq + 2, end - eq - 2);
      if (value.find('<') != std::string::npos) return "'<' in an attribute of <" + name + ">";
      const std::size_t base = lt + 1 + eq + 2;
      if (!text_ok(base, base + value.size())) return "bad entity or control character in an attribute of <" + name + ">";
      k = end + 1;
    }
    ++(*counts)[name];
    if (!self) open.push_back(name);
    else if (open.empty()) root_done = true;
    i = gt + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!root_done) return "no root element";
  return "";
}

bool have_python3() { return std::system("command -v python3 >/dev/null 2>&1") == 0; }

}  // namespace

TEST_SUITE("reports: xml") {
  TEST_CASE("xml_escape: markup, quotes, line breaks, control bytes, colours, bad UTF-8") {
    CHECK(xml_escape("a<b>&\"c'", false) == "a&lt;b&gt;&amp;\"c'");
    CHECK(xml_escape("a<b>&\"c'", true) == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(xml_escape("one\ntwo\tthree", true) == "one&#10;two&#9;three");
    CHECK(xml_escape("one\ntwo", false) == "one\ntwo");
    CHECK(xml_escape(std::string("x\x01y\x7fz", 5), false) == "xy\x7fz");
    CHECK(xml_escape("\033[31mred\033[0m", false) == "red");
    CHECK(xml_escape("SYN \xe2\x86\x92 ESTABLISHED", false) == "SYN \xe2\x86\x92 ESTABLISHED");
    CHECK(xml_escape("bad \xff\xfe byte \xe2\x86", false) == "bad ?? byte ??");
  }

  TEST_CASE("junit_xml: one testsuite per lab, one testcase per check, failures with the narration") {
    TestSuiteReport s;
    s.name = "lab <1> & \"friends\"";
    s.properties = {{"seed", "7"}, {"var.msl", "10s"}};
    TestCaseReport pass, fail;
    pass.name = "passes";
    pass.classname = "tcplab.lab";
    pass.pass = true;
    fail.name = "fails \"badly\"";
    fail.classname = "tcplab.lab";
    fail.type = "states";
    fail.message = "check failed after these steps:\n   1. a < b & c\n\033[31m  actual: x\033[0m\n";
    s.cases = {pass, fail};
    TestSuiteReport broken;
    broken.name = "broken";
    broken.error = "broken.toml:3:1: unknown key 'x'";
    const std::string x = junit_xml("tcplab check", {s, broken});
    std::map<std::string, int> counts;
    CHECK(xml_problem(x, &counts) == "");
    CHECK(counts["testsuites"] == 1);
    CHECK(counts["testsuite"] == 2);
    CHECK(counts["testcase"] == 3);
    CHECK(counts["failure"] == 1);
    CHECK(counts["error"] == 1);
    CHECK(contains(x, "<testsuites name=\"tcplab check\" tests=\"3\" failures=\"1\" errors=\"1\""));
    CHECK(contains(x, "<failure message=\"check failed after these steps:&#10;   1. a &lt; b &amp; c&#10;  actual: x&#10;\" type=\"states\">"));
    CHECK(contains(x, "<property name=\"var.msl\" value=\"10s\"/>"));
    CHECK_FALSE(contains(x, "\033"));
  }

  TEST_CASE("the small XML reader rejects what is not well-formed") {
    std::map<std::string, int> c;
    CHECK(xml_problem("<a><b></a></b>", &c) != "");
    CHECK(xml_problem("<a x=\"1 & 2\"/>", &c) != "");
    CHECK(xml_problem("<a>1 < 2</a>", &c) != "");
    CHECK(xml_problem("<a></a><b/>", &c) != "");
    CHECK(xml_problem("<a x=\"&lt;\">&#10;</a>", &c) == "");
  }
}

TEST_SUITE("reports: tcplab check") {
  TEST_CASE("--junit and --json for a passing and a failing lab") {
    const auto dir = labtest::scratch_dir();
    const auto failing = dir / "failing.toml";
    std::ofstream(failing) << labtest::handshake_lab(
        "[[check]]\nname = \"the server <ends> in \\\"TIME_WAIT\\\" & more\"\nkind = \"final_state\"\nhost = \"server\"\nexpect = \"TIME_WAIT\"\n"
        "[[check]]\nname = \"three SYNs\"\nkind = \"segments\"\nfrom = \"client\"\nsegment = \"SYN\"\nexpect = 3\n"
        "[[check]]\nname = \"handshake states\"\nkind = \"states\"\nhost = \"client\"\nmode = \"ordered\"\nexpect = [\"SYN_SENT\", \"ESTABLISHED\"]\n");
    const auto xml = dir / "report.xml", json = dir / "report.json";
    const auto r = labtest::tcplab_cmd("check handshake '" + failing.string() + "' --junit '" + xml.string() + "' --json '" +
                                       json.string() + "'");
    CHECK(r.rc == 1);
    CHECK(contains(r.out, "handshake  SEED=1  3 of 3 checks passed\n"));
    CHECK(contains(r.out, "failing  SEED=1  1 of 3 checks passed\n"));
    CHECK(contains(r.out, "  FAIL  three SYNs\n"));
    CHECK(contains(r.out, "  PASS  handshake states\n"));
    CHECK(contains(r.out, "1 of 2 labs passed all their checks\n"));
    CHECK(contains(r.out, "reproduce with `tcplab run " + failing.string() + " --seed 1`"));

    const std::string x = labtest::slurp(xml);
    std::map<std::string, int> counts;
    CHECK(xml_problem(x, &counts) == "");
    CHECK(counts["testsuite"] == 2);
    CHECK(counts["testcase"] == 6);
    CHECK(counts["failure"] == 2);
    CHECK(contains(x, "name=\"the server &lt;ends&gt; in &quot;TIME_WAIT&quot; &amp; more\""));
    if (have_python3()) {
      const std::string py = "python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); "
                             "sys.exit(0 if len(d.getElementsByTagName(\"testcase\")) == 6 else 1)' '" + xml.string() + "'";
      CHECK(std::system(py.c_str()) == 0);
    }

    const auto j = nlohmann::json::parse(labtest::slurp(json));
    CHECK(j["tool"] == "tcplab check");
    CHECK(j["score"] == 4);
    CHECK(j["max_score"] == 6);
    CHECK(j["passed"] == false);
    REQUIRE(j["suites"].size() == 2);
    CHECK(j["suites"][0]["name"] == "handshake");
    CHECK(j["suites"][0]["passed"] == true);
    const auto& c = j["suites"][1]["cases"][1];
    CHECK(c["name"] == "three SYNs");
    CHECK(c["kind"] == "segments");
    CHECK(c["pass"] == false);
    CHECK(c["expected"] == "exactly 3 SYN segments from client");
    CHECK(c["actual"] == "1 such segment: A>B#1 at 00:00:00.001000 (too few)");
    CHECK(c["evidence_seq_no"].get<int>() >= 0);
    CHECK(contains(c["evidence"].get<std::string>(), "Flags [S]"));
    CHECK(contains(c["message"].get<std::string>(), "failed after these steps"));
    REQUIRE(j["tests"].size() == 6);
    CHECK(j["tests"][4]["status"] == "failed");
    CHECK(j["tests"][5]["status"] == "passed");
  }

  TEST_CASE("exit 0 when everything passes; a report file that cannot be written is bad input") {
    CHECK(labtest::tcplab_cmd("check handshake").rc == 0);
    const auto r = labtest::tcplab_cmd("check handshake --junit /nonexistent-dir/x.xml");
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: --junit: cannot open '/nonexistent-dir/x.xml' for writing\n");
  }

  TEST_CASE("a lab that cannot load still gets a testsuite, with an <error>") {
    const auto dir = labtest::scratch_dir();
    const auto xml = dir / "bad.xml";
    const std::string bad = std::string(TCPLAB_SOURCE_DIR) + "/tests/labs/bad/check_unknown_kind.toml";
    const auto r = labtest::tcplab_cmd("check handshake '" + bad + "' --junit '" + xml.string() + "'");
    CHECK(r.rc == 2);
    const std::string x = labtest::slurp(xml);
    std::map<std::string, int> counts;
    CHECK(xml_problem(x, &counts) == "");
    CHECK(counts["testsuite"] == 2);
    CHECK(counts["error"] == 1);
    CHECK(contains(x, "unknown check kind &apos;state&apos;; did you mean &apos;states&apos;?"));
  }
}

// Issue 18: what a new user types first.
TEST_SUITE("reports: tcplab run") {
  TEST_CASE("a failing check in `run FILE.toml` reproduces with the path, as `check` does") {
    const auto dir = labtest::scratch_dir();
    const auto lab = dir / "my-lab.toml";
    std::ofstream(lab) << labtest::handshake_lab("[[check]]\nkind = \"final_state\"\nhost = \"client\"\nexpect = \"ESTABLISHED\"\n",
                                                 "[vars]\nx = { min = 1, max = 5, default = 2 }\n");
    const auto r = labtest::tcplab_cmd("run '" + lab.string() + "' --var x=1 --until 90s");
    CHECK(r.rc == 1);
    CHECK(contains(r.out, "reproduce with `tcplab run " + lab.string() + " --seed 1 --var x=1 --until 90s`"));
  }

  TEST_CASE("-q prints the verdicts only: no trace and no explanation") {
    const auto r = labtest::tcplab_cmd("run handshake -q");
    CHECK(r.rc == 0);
    CHECK(contains(r.out, "3 of 3 checks passed\n"));
    CHECK(!contains(r.out, "Flags [S]"));
    CHECK(!contains(r.out, "What happened"));
    CHECK(contains(labtest::tcplab_cmd("run handshake").out, "What happened"));
  }
}
