// The grader formats of `tcplab check`/`grade` (labs/grader_formats.hpp), each checked against
// the rules its platform publishes:
// - PrairieLearn, "External Grading" > "Grading results": score in [0, 1] (the one required key
//   of a gradable result); gradable = false with format_errors (a string or strings) for input
//   that could not be graded; tests[] with name, description, points, max_points, message,
//   output; images[] with label and a data: URL; the file at most 1 MB.
// - INGInious, "Run file" > feedback commands: result is success, failed, timeout, overflow or
//   crash; grade from 0 to 100 (bonuses to 200); the feedback is reStructuredText.
// - Moodle CodeRunner, combinator template grader: fraction in [0, 1]; testresults a table
//   whose first row holds the column headers, with `iscorrect` special; columnformats one
//   %s or %h per column other than iscorrect; prologuehtml / epiloguehtml strings.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "labs/grader_formats.hpp"
#include "lab_fixture.hpp"

using namespace tcplab;
using Json = nlohmann::ordered_json;

namespace {

const std::string kPassing = R"([[check]]
name = "the client opens and closes"
kind = "states"
host = "client"
expect = ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT", "CLOSED"]
)";
// The second check is wrong on purpose: the server never reaches FIN_WAIT_1.
const std::string kOneFails = kPassing + R"(
[[check]]
name = "the server <closes> first & waits"
kind = "states"
host = "server"
expect = ["LISTEN", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1"]
)";

std::vector<TestSuiteReport> suites_of(const std::string& checks) {
  const LabRun run = labtest::run_text(labtest::handshake_lab(checks));
  return {check_suite(run, "tcplab run test.toml --seed 1")};
}

TestSuiteReport bad_suite() {
  TestSuiteReport s;
  s.name = "broken.toml";
  s.error = "broken.toml:3:1: unknown key 'hots'";
  return s;
}

bool is_base64(const std::string& s) {
  if (s.size() % 4 != 0) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return false;
  return true;
}

// PrairieLearn's published rules for results.json.
void check_prairielearn(const Json& j) {
  REQUIRE(j.is_object());
  CHECK(j.dump().size() < 1'000'000);
  if (j.contains("gradable") && !j["gradable"].get<bool>()) {
    REQUIRE(j.contains("format_errors"));
    CHECK((j["format_errors"].is_string() || j["format_errors"].is_array()));
    return;
  }
  REQUIRE(j.contains("score"));
  CHECK(j["score"].is_number());
  CHECK(j["score"].get<double>() >= 0.0);
  CHECK(j["score"].get<double>() <= 1.0);
  for (const auto& t : j.value("tests", Json::array())) {
    CHECK(t["name"].is_string());
    CHECK(t["points"].is_number());
    CHECK(t["max_points"].is_number());
    CHECK(t["points"].get<double>() <= t["max_points"].get<double>());
    CHECK(t["message"].is_string());
    CHECK(t["output"].is_string());
  }
  for (const auto& im : j.value("images", Json::array())) {
    const std::string url = im["url"].get<std::string>();
    const std::string prefix = "data:image/png;base64,";
    REQUIRE(url.rfind(prefix, 0) == 0);
    CHECK(is_base64(url.substr(prefix.size())));
    CHECK(im["label"].is_string());
  }
}

void check_inginious(const Json& j) {
  const std::string r = j["result"].get<std::string>();
  CHECK((r == "success" || r == "failed" || r == "timeout" || r == "overflow" || r == "crash"));
  CHECK(j["grade"].get<double>() >= 0.0);
  CHECK(j["grade"].get<double>() <= 100.0);
  CHECK(j["feedback"].is_string());
}

void check_coderunner(const Json& j) {
  CHECK(j["fraction"].get<double>() >= 0.0);
  CHECK(j["fraction"].get<double>() <= 1.0);
  const Json& rows = j["testresults"];
  REQUIRE(rows.is_array());
  REQUIRE(rows.size() >= 1);
  const Json& header = rows[0];
  std::size_t iscorrect = header.size();
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == "iscorrect") iscorrect = i;
  REQUIRE(iscorrect < header.size());
  for (std::size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == header.size());
    CHECK((rows[r][iscorrect] == 0 || rows[r][iscorrect] == 1));
  }
  CHECK(j["columnformats"].size() == header.size() - 1);
  for (const auto& f : j["columnformats"]) CHECK((f == "%s" || f == "%h"));
  CHECK(j["prologuehtml"].is_string());
  CHECK(j["epiloguehtml"].is_string());
}

}  // namespace

TEST_SUITE("grader formats") {
  TEST_CASE("base64 is RFC 4648's (its section 10 test vectors)") {
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64(std::string("\xff\x00\x10", 3)) == "/wAQ");
  }

  TEST_CASE("PrairieLearn: a score of passed/total, one test per check, the image as a data URL") {
    const auto all = suites_of(kPassing);
    const Json ok = prairielearn_results(all, {{"ladder", "\x89PNG\r\n"}});
    check_prairielearn(ok);
    CHECK(ok["gradable"] == true);
    CHECK(ok["score"] == 1.0);
    REQUIRE(ok["tests"].size() == 1);
    CHECK(ok["tests"][0]["points"] == 1.0);
    CHECK(ok["images"][0]["url"] == "data:image/png;base64,iVBORw0K");

    const Json half = prairielearn_results(suites_of(kOneFails), {});
    check_prairielearn(half);
    CHECK(half["score"] == 0.5);
    CHECK(half["tests"][1]["points"] == 0.0);
    CHECK(half["tests"][1]["message"] == "failed");
    // The failure's story, with what was expected and how to reproduce it.
    CHECK(half["tests"][1]["output"].get<std::string>().find("FIN_WAIT_1") != std::string::npos);
    CHECK(half["output"].get<std::string>().find("FAIL  the server <closes> first & waits") != std::string::npos);
  }

  TEST_CASE("PrairieLearn: a lab that does not load is not gradable (no attempt used up)") {
    const Json j = prairielearn_results({bad_suite()}, {});
    check_prairielearn(j);
    CHECK(j["gradable"] == false);
    CHECK(j["format_errors"][0] == "broken.toml: broken.toml:3:1: unknown key 'hots'");
    CHECK_FALSE(j.contains("score"));
  }

  TEST_CASE("INGInious: success only when every check passes, the grade in percent, RST feedback") {
    const Json ok = inginious_feedback(suites_of(kPassing));
    check_inginious(ok);
    CHECK(ok["result"] == "success");
    CHECK(ok["grade"] == 100.0);
    const Json half = inginious_feedback(suites_of(kOneFails));
    check_inginious(half);
    CHECK(half["result"] == "failed");
    CHECK(half["grade"] == 50.0);
    const std::string fb = half["feedback"];
    CHECK(fb.find("test\n====\n") == 0);  // the lab's name as a section title
    CHECK(fb.find("- **FAIL** the server <closes> first & waits\n") != std::string::npos);
    CHECK(fb.find("::\n\n    ") != std::string::npos);  // the story in a literal block
    const Json bad = inginious_feedback({bad_suite()});
    check_inginious(bad);
    CHECK(bad["result"] == "failed");
    CHECK(bad["grade"] == 0.0);
  }

  TEST_CASE("CodeRunner: the fraction, a row per check with iscorrect, the story HTML-escaped") {
    const Json ok = coderunner_result(suites_of(kPassing));
    check_coderunner(ok);
    CHECK(ok["fraction"] == 1.0);
    CHECK(ok["testresults"].size() == 2);
    const Json half = coderunner_result(suites_of(kOneFails));
    check_coderunner(half);
    CHECK(half["fraction"] == 0.5);
    CHECK(half["testresults"][2][0] == 0);
    CHECK(half["testresults"][2][2] == "the server <closes> first & waits");  // %s: CodeRunner escapes it
    const std::string epi = half["epiloguehtml"];
    CHECK(epi.find("<h4>the server &lt;closes&gt; first &amp; waits</h4>") != std::string::npos);
    CHECK(epi.find("<closes>") == std::string::npos);
    const Json bad = coderunner_result({bad_suite()});
    check_coderunner(bad);
    CHECK(bad["fraction"] == 0.0);
  }

  TEST_CASE("tcplab check writes every format; '-' puts one on standard output instead of the text") {
    const auto dir = labtest::scratch_dir() / "graders";
    std::filesystem::create_directories(dir);
    { std::ofstream(dir / "lab.toml") << labtest::handshake_lab(kOneFails); }
    const auto c = labtest::tcplab_cmd("check lab.toml --prairielearn pl.json --inginious ing.json --coderunner -", "",
                                       dir.string());
    CHECK(c.rc == 1);
    const Json cr = Json::parse(c.out);  // only the JSON on stdout
    check_coderunner(cr);
    CHECK(cr["fraction"] == 0.5);
    const Json pl = Json::parse(labtest::slurp(dir / "pl.json"));
    check_prairielearn(pl);
    // The ladder as an image, a PNG (its signature, base64: iVBORw0KGgo).
    REQUIRE(pl["images"].size() == 1);
    CHECK(pl["images"][0]["label"] == "lab: the ladder");  // the lab named by its file, lab.toml
    CHECK(pl["images"][0]["url"].get<std::string>().rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);
    check_inginious(Json::parse(labtest::slurp(dir / "ing.json")));
    const auto w = labtest::tcplab_cmd("check lab.toml --inginious /nonexistent/dir/f.json", "", dir.string());
    CHECK(w.rc == 2);
    CHECK(w.err == "tcplab: --inginious: cannot open '/nonexistent/dir/f.json' for writing\n");
  }
}
