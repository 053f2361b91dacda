// Saving a fork's fault rules into a copy of the lab file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "labs/lab.hpp"
#include "labs/runner.hpp"
#include "viz/lab_edit.hpp"
#include "viz/session.hpp"

using namespace tcplab;
using namespace tcplab::viz;

namespace {
std::string edit(const std::string& text, std::vector<std::string> rules) {
  std::string err;
  const std::string out = add_faults_to_lab_text(text, rules, &err);
  INFO(err);
  REQUIRE(!out.empty());
  return out;
}
std::string slurp_file(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_SUITE("lab file editing") {
  TEST_CASE("an existing faults array gets the rule appended, the rest untouched") {
    const std::string t = "title = \"x\"\nfaults = [\"drop A>B#1\"]  # keep me\n\n[[host]]\nname = \"a\"\n";
    CHECK(edit(t, {"drop B>A#2"}) == "title = \"x\"\nfaults = [\"drop A>B#1\", \"drop B>A#2\"]  # keep me\n\n[[host]]\nname = \"a\"\n");
  }

  TEST_CASE("a multi-line array with a trailing comma and comments") {
    const std::string t = "faults = [\n  \"drop A>B#1\", # one\n  # two ]\n]\n[link]\n";
    CHECK(edit(t, {"delay A>B#2 by 5ms"}) == "faults = [\n  \"drop A>B#1\", \"delay A>B#2 by 5ms\" # one\n  # two ]\n]\n[link]\n");
    CHECK(edit("faults = []\n", {"drop A>B#1"}) == "faults = [\"drop A>B#1\"]\n");
  }

  TEST_CASE("no array: one is added before the first table, not inside a string") {
    const std::string t = "title = \"x\"\nexplanation = \"\"\"\n[not a table]\nfaults = [\n\"\"\"\n\n[[host]]\nname = \"a\"\n";
    const std::string out = edit(t, {"drop A>B#1"});
    CHECK(out == "title = \"x\"\nexplanation = \"\"\"\n[not a table]\nfaults = [\n\"\"\"\n\n# added by tcplab-viz\nfaults = [\"drop A>B#1\"]\n\n[[host]]\nname = \"a\"\n");
  }

  TEST_CASE("a `faults` key inside a table is not the lab's") {
    const std::string t = "[sim]\nfaults = [1]\n";
    CHECK(edit(t, {"drop A>B#1"}) == "# added by tcplab-viz\nfaults = [\"drop A>B#1\"]\n\n[sim]\nfaults = [1]\n");
  }

  TEST_CASE("names for the new file") {
    CHECK(fork_stem("handshake", {"drop A>B#3"}) == "handshake-drop-A-B-3");
    CHECK(fork_stem("x", {"delay B>A FIN #1 by 200ms"}) == "x-delay-B-A-FIN-1-by-200ms");
  }

  TEST_CASE("saving writes a new lab that loads with the fault, and never clobbers without asking") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "tcplab-viz-test-save";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string src = resolve_lab_path("handshake");
    const std::string out = fresh_path(dir.string(), "handshake-drop-B-A-3");
    CHECK(out == (dir / "handshake-drop-B-A-3.toml").string());
    SaveResult r = save_lab_with_faults(src, {"drop B>A#3"}, out, false);
    INFO(r.message);
    REQUIRE(r.outcome == SaveResult::Outcome::Written);
    const Lab lab = load_lab(out);
    REQUIRE(lab.faults.size() == 1);
    CHECK(lab.faults[0].text == "drop B>A#3");
    CHECK(fresh_path(dir.string(), "handshake-drop-B-A-3") == (dir / "handshake-drop-B-A-3-2.toml").string());
    const std::string before = slurp_file(out);
    r = save_lab_with_faults(src, {"drop A>B#1"}, out, false);
    CHECK(r.outcome == SaveResult::Outcome::Exists);
    CHECK(slurp_file(out) == before);
    r = save_lab_with_faults(src, {"drop A>B#1"}, out, true);
    CHECK(r.outcome == SaveResult::Outcome::Written);
    CHECK(load_lab(out).faults[0].text == "drop A>B#1");
    r = save_lab_with_faults(src, {}, (dir / "empty.toml").string(), false);
    CHECK(r.outcome == SaveResult::Outcome::Failed);
    fs::remove_all(dir);
  }

  TEST_CASE("exports: the shown timeline's trace and pcap, and the lab with its fork's rules") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "tcplab-viz-test-export";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path cwd = fs::current_path();
    fs::current_path(dir);  // exports go to the working directory (the page's in-memory one)
    LoadOptions lo;
    lo.seed = 3;
    Session s("lost-fin", lo);
    UiState ui;
    REQUIRE(s.export_file("trace", ui) == "");
    CHECK(ui.written_file == "./lost-fin.jsonl");
    REQUIRE(s.export_file("pcap", ui) == "");
    CHECK(ui.written_file == "./lost-fin.pcap");
    REQUIRE(s.export_file("trace", ui) == "");
    CHECK(ui.written_file == "./lost-fin-2.jsonl");  // never over an earlier export
    // The trace is what `tcplab run lost-fin --seed 3 --trace` writes.
    LabRun run = run_lab(load_lab("lost-fin", lo));
    REQUIRE(write_jsonl(run, (dir / "ref.jsonl").string()) == "");
    CHECK(slurp_file((dir / "lost-fin.jsonl").string()) == slurp_file((dir / "ref.jsonl").string()));
    REQUIRE(write_pcap(run, (dir / "ref.pcap").string()) == "");
    CHECK(slurp_file((dir / "lost-fin.pcap").string()) == slurp_file((dir / "ref.pcap").string()));
    // No fork: the lab as loaded. A fork: its rule is in the lab, which loads.
    REQUIRE(s.export_file("lab", ui) == "");
    CHECK(slurp_file(ui.written_file) == slurp_file(resolve_lab_path("lost-fin")));
    REQUIRE(s.fork_rule("drop B>A#2", 0) == "");
    REQUIRE(s.export_file("lab", ui) == "");
    CHECK(ui.written_file.find("lost-fin-drop-B-A-2") != std::string::npos);
    const Lab edited = load_lab(ui.written_file, lo);
    REQUIRE(edited.faults.size() == 2);
    CHECK(edited.faults[1].text == "drop B>A#2");
    CHECK(s.export_file("movie", ui) == "unknown export 'movie' (trace, pcap or lab)");
    fs::current_path(cwd);
    fs::remove_all(dir);
  }

  TEST_CASE("exports: a panel at the cursor as a picture (ladder.svg, endpoint.png)") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "tcplab-viz-test-export-panel";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path cwd = fs::current_path();
    fs::current_path(dir);
    Session s("lost-fin", LoadOptions{});
    UiState ui;
    s.seek_time(ms(1500));
    REQUIRE(s.export_file("ladder.svg", ui) == "");
    CHECK(ui.written_file == "./lost-fin-ladder.svg");
    const std::string svg = slurp_file(ui.written_file);
    CHECK(svg.find(">lost-fin (seed 1) at 1.500 s</text>") != std::string::npos);
    CHECK(svg.find(">[F.] seq 8, ack 19  LOST</text>") != std::string::npos);
    REQUIRE(s.export_file("endpoint.png", ui) == "");
    CHECK(ui.written_file == "./lost-fin-endpoint.png");
    CHECK(slurp_file(ui.written_file).substr(1, 3) == "PNG");
    CHECK(s.export_file("stairs.svg", ui) == "unknown export 'stairs.svg' (trace, pcap or lab)");
    fs::current_path(cwd);
    fs::remove_all(dir);
  }
}
