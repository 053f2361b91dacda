// `tcplab check LAB...`: runs each lab and judges its checks; one line per check, one per
// lab, failures narrated (STYLE 8); optional JUnit XML and JSON for graders and CI.
#include <iostream>
#include <unistd.h>

#include "labs/terminal.hpp"
#include "labs/cli.hpp"
#include "labs/draw_options.hpp"
#include "labs/junit.hpp"
#include "labs/options.hpp"
#include "labs/report.hpp"
#include "labs/run_control.hpp"
#include "labs/runner.hpp"

namespace tcplab::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> labs;
  LabOptionArgs common;
  ReportPaths reports;
};

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out += pad + text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The lab's whole ladder as a PNG, for PrairieLearn's results (images[]): as `tcplab draw LAB
// --what ladder` draws it at the end of the run. Left out where PNGs cannot be made (the
// WebAssembly build) and when it would take much of PrairieLearn's 1 MB for results.json.
void add_ladder_image([[maybe_unused]] const Lab& lab, [[maybe_unused]] std::vector<ReportImage>& images) {
#ifndef __EMSCRIPTEN__
  constexpr std::size_t kMaxPng = 512 * 1024;
  const draw::Recorded rec = draw::record(lab);
  const PictureAt at = picture_at(rec, PictureArgs{});
  const auto [w, h] = draw::default_size(at.scene, draw::What::Ladder);
  std::string png = draw::png(at.scene, draw::What::Ladder, w, h);
  if (png.size() <= kMaxPng) images.push_back({lab.name + ": the ladder", std::move(png)});
#endif
}

int check(const CheckArgs& a) {
  const auto until = until_of(a.common);  // a bad --until is bad input before anything runs
  // A report written to standard output replaces the text there.
  std::ostream discarded(nullptr);  // no buffer: what is written is dropped
  std::ostream& out = a.reports.to_stdout() ? discarded : std::cout;
  const bool color = !a.reports.to_stdout() && color_stdout();
  std::vector<TestSuiteReport> suites;
  std::vector<ReportImage> images;  // PrairieLearn shows them beside the results
  bool bad_input = false, failed = false;
  std::size_t labs_passed = 0;
  const LongRun long_run(max_memory_of(a.common));
  int stopped_code = 0;
  for (const auto& arg : a.labs) {
    if (stopped_code == kInterrupted) break;  // Ctrl-C: report what was judged so far
    Lab lab;
    try {
      lab = load_common(arg, a.common);
    } catch (const BadInput& e) {
      // One bad lab does not stop the others; the exit code still says bad input.
      out << std::flush;
      std::cerr << "tcplab: " << e.what() << "\n";
      TestSuiteReport s;
      s.name = arg;
      s.error = e.what();
      suites.push_back(s);
      bad_input = true;
      continue;
    }
    if (!a.reports.prairielearn.empty()) add_ladder_image(lab, images);
    const LabRun run = run_lab(std::move(lab), until, true, &long_run.control());
    const std::string repro = reproduce_command(arg, run.lab, a.common);
    out << run.lab.name << "  SEED=" << run.lab.seed;
    for (const auto& v : run.lab.vars) out << "  " << v.name << "=" << v.value;
    out << "  " << verdict_summary(run.results) << "\n";
    for (const auto& r : run.results) {
      out << "  " << (r.pass ? paint(Color::Green, "PASS", color) : paint(Color::Red, "FAIL", color)) << "  " << r.name
                << "\n";
      if (!r.pass) out << indent(narrate(r, repro, color), "        ");
    }
    if (!run.stopped.empty()) {
      out << "  " << stopped_line(run) << "\n";
      stopped_code = std::max(stopped_code, stopped_exit_code(run));
    }
    if (run.all_passed() && run.stopped.empty()) ++labs_passed;
    else failed = true;
    suites.push_back(check_suite(run, repro));
  }
  if (a.labs.size() > 1)
    out << labs_passed << " of " << a.labs.size() << " labs passed all their checks\n";
  if (auto err = write_reports(a.reports, "tcplab check", suites, images); !err.empty()) throw BadInput(err);
  if (stopped_code) return stopped_code;
  return bad_input ? kBadInput : failed ? kCheckFailed : kOk;
}

}  // namespace

Command check_command() {
  return {"check", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<CheckArgs>();
    sub.add_option("LAB", a->labs, "built-in lab names or .toml files")->required();
    add_lab_options(sub, a->common);
    add_report_options(sub, a->reports);
    std::string kinds = "Check kinds and their keys ([[check]] kind = \"...\"; a segment's kind is `segment = \"SYN\"`):\n";
    for (const auto& k : check_kinds()) kinds += "  " + k + "\n";
    sub.footer("Examples:\n  tcplab check handshake\n  tcplab check labs/catalogue/*.toml --junit report.xml --json report.json\n"
               "  tcplab check my-lab.toml --student s1234 --var outage=1500ms\n" + kinds +
               "Exit codes: 0 every check passed, 1 a check failed, 2 bad input (a lab file, an option).");
    return [a] { return check(*a); };
  }, "run labs and judge their checks (JUnit XML and JSON for graders)"};
}

}  // namespace tcplab::cli
