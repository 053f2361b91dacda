// `tcplab report LAB --out F.html`: the whole run as one self-contained HTML file to hand in
// (labs/html_report.hpp).
#include <fmt/format.h>
#include <iostream>

#include "labs/cli.hpp"
#include "labs/html_report.hpp"
#include "labs/options.hpp"
#include "labs/report.hpp"

namespace tcplab::cli {
namespace {

struct ReportArgs {
  std::string lab, out;
  LabOptionArgs common;
};

int run(const ReportArgs& a) {
  std::string ext = a.out.size() >= 5 ? a.out.substr(a.out.size() - 5) : "";
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".html") throw BadInput("--out: '" + a.out + "': a report is an HTML file (.html)");
  const draw::Recorded rec = draw::record(load_common(a.lab, a.common));
  ReportInput in;
  in.run = &rec;
  in.reproduce = reproduce_command(a.lab, rec.lab, a.common);
  in.student = a.common.student;
  write_output(a.out, html_report(in));
  std::cout << fmt::format("{}: {} ({}), {}\n", a.out, rec.lab.name, rec.lab.title,
                           rec.checks.empty() ? "no checks" : verdict_summary(rec.checks));
  bool all = true;
  for (const auto& r : rec.checks) all = all && r.pass;
  return all ? kOk : kCheckFailed;
}

}  // namespace

Command report_command() {
  return {"report", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<ReportArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    add_lab_options(sub, a->common);
    sub.add_option("--out", a->out, "the HTML file to write")->required();
    sub.footer("Examples:\n"
               "  tcplab report lost-fin --out lost-fin.html\n"
               "  tcplab report lossy-transfer --student s1234567 --var loss=2% --out lossy.html\n"
               "One file, nothing beside it: the lab's text, the checks (PASS/FAIL, each failure told step by step), "
               "the ladder (inline SVG), every state change with its RFC rule, the run as `tcplab run` prints it, "
               "and the command that reproduces it. The same lab and seed give the same bytes.\n"
               "Exit codes: 0 every check passed, 1 a check failed (the report is written either way), 2 bad input.");
    return [a] { return run(*a); };
  }, "write a lab run as one self-contained HTML report to hand in (text, ladder, state changes, checks)"};
}

}  // namespace tcplab::cli
