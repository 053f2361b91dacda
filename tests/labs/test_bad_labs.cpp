// Malformed lab files: each file in tests/labs/bad/ starts with the exact error line it must
// produce, `# error: FILE:LINE:COL: message`. The loader must throw exactly that, and
// `tcplab check FILE` must print it (after "tcplab: ") and exit with 2, never crash.
#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>

#include "labs/lab.hpp"
#include "lab_fixture.hpp"

namespace fs = std::filesystem;

namespace {

struct BadLab {
  std::string name;
  std::string expected;  // the error line, with the file as written on the command line
};

std::vector<BadLab> bad_labs() {
  const fs::path dir = fs::path(TCPLAB_SOURCE_DIR) / "tests/labs/bad";
  std::vector<BadLab> v;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    std::ifstream in(e.path());
    std::string first;
    std::getline(in, first);
    const std::string tag = "# error: ";
    BadLab b;
    b.name = e.path().filename().string();
    b.expected = first.rfind(tag, 0) == 0 ? first.substr(tag.size()) : "(no '# error: ' line in " + b.name + ")";
    v.push_back(b);
  }
  std::sort(v.begin(), v.end(), [](const BadLab& a, const BadLab& b) { return a.name < b.name; });
  return v;
}

}  // namespace

TEST_SUITE("bad labs") {
  TEST_CASE("there are at least 30 malformed lab files, each naming its own file") {
    const auto v = bad_labs();
    CHECK(v.size() >= 30);
    for (const auto& b : v) {
      CAPTURE(b.name);
      CHECK(b.expected.rfind(b.name + ":", 0) == 0);
    }
  }

  TEST_CASE("load_lab throws exactly the documented file:line:col: message") {
    const std::string dir = std::string(TCPLAB_SOURCE_DIR) + "/tests/labs/bad/";
    for (const auto& b : bad_labs()) {
      CAPTURE(b.name);
      std::string got = "(no error)";
      try {
        tcplab::load_lab(dir + b.name);
      } catch (const tcplab::LabError& e) {
        got = e.what();
      }
      CHECK(got == dir + b.expected);
    }
  }

  TEST_CASE("tcplab check prints the line and exits 2") {
    const std::string dir = std::string(TCPLAB_SOURCE_DIR) + "/tests/labs/bad";
    for (const auto& b : bad_labs()) {
      CAPTURE(b.name);
      const auto r = labtest::tcplab_cmd("check " + b.name, "", dir);
      CHECK(r.rc == 2);
      CHECK(r.err == "tcplab: " + b.expected + "\n");
      CHECK(r.out.empty());
    }
  }

  TEST_CASE("a bad lab among good ones: the others still run, the exit code is 2") {
    const std::string dir = std::string(TCPLAB_SOURCE_DIR) + "/tests/labs/bad";
    const auto r = labtest::tcplab_cmd("check handshake check_unknown_key.toml", "", dir);
    CHECK(r.rc == 2);
    CHECK(r.out.find("handshake  SEED=1  3 of 3 checks passed") != std::string::npos);
    CHECK(r.err.find("check_unknown_key.toml:20:1: check kind 'states' has no key 'hots'; did you mean 'host'?") !=
          std::string::npos);
  }

  TEST_CASE("the bad lab's good twin: the timeout knobs are read into the host's configuration") {
    const std::string text = "title = \"x\"\n[[host]]\nname = \"a\"\nip = \"10.0.0.1\"\n"
                             "tcp = { rto_restarts_on_head_resend = false, rto_keeps_sack = false }\n"
                             "[[host]]\nname = \"b\"\nip = \"10.0.0.2\"\n";
    const tcplab::Lab lab = tcplab::parse_lab(text, "good.toml");
    REQUIRE(lab.hosts.size() == 2);
    CHECK_FALSE(lab.hosts[0].tcp.rto_restarts_on_head_resend);
    CHECK_FALSE(lab.hosts[0].tcp.rto_keeps_sack);
    CHECK(lab.hosts[1].tcp.rto_restarts_on_head_resend);  // Linux's, the default profile's
    CHECK(lab.hosts[1].tcp.rto_keeps_sack);
  }

  TEST_CASE("more fault rules than a packet can name (32767) is refused with the count") {
    std::string faults;
    for (int i = 0; i < 32768; ++i) faults += std::string(i ? ", " : "") + "\"drop A>B#1\"";
    const std::string text = "title = \"x\"\nfaults = [" + faults +
                             "]\n[[host]]\nname = \"a\"\nip = \"10.0.0.1\"\n[[host]]\nname = \"b\"\nip = \"10.0.0.2\"\n";
    std::string got = "(no error)";
    try {
      tcplab::parse_lab(text, "many.toml");
    } catch (const tcplab::LabError& e) {
      got = e.what();
    }
    CHECK(got == "many.toml:2:10: faults: 32768 rules, at most 32767");
  }

  TEST_CASE("bad command-line input: unknown --var, a bare --until, a missing lab") {
    auto r = labtest::tcplab_cmd("check handshake --var nope=1");
    CHECK(r.rc == 2);
    CHECK(r.err.find("--var nope: the lab has no variable 'nope'") != std::string::npos);
    r = labtest::tcplab_cmd("check handshake --var nope");
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: --var nope: expected NAME=VALUE\n");
    r = labtest::tcplab_cmd("check handshake --until 5");
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: --until: duration '5' has no unit (write e.g. 5ms or 5s)\n");
    r = labtest::tcplab_cmd("check handshak");
    CHECK(r.rc == 2);
    CHECK(r.err == "tcplab: handshak: no built-in lab or file named 'handshak'; did you mean 'handshake'?\n");
  }
}
