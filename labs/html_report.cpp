#include "labs/html_report.hpp"

#include <fmt/format.h>

#include "labs/check_result.hpp"
#include "labs/report.hpp"
#include "sim/text_view.hpp"

namespace tcplab {
namespace {

using draw::xml_escape;

// Paper and screen: readable without any file beside it (system fonts only).
constexpr const char* kStyle = R"(body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.goal{color:#444;font-size:1.05em}table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f4f6}
td.t{white-space:nowrap;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.pass{color:#116329;font-weight:bold}.fail{color:#b3261e;font-weight:bold}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.7em;overflow-x:auto;font-size:.85em;line-height:1.35}
.meta td:first-child{width:9em;color:#555}.ladder{overflow-x:auto;border:1px solid #d0d7de}
.summary{font-size:1.1em;font-weight:bold}@media print{pre,.ladder{overflow:visible;white-space:pre-wrap}})";

std::string esc(const std::string& s) { return xml_escape(s); }

std::string meta(const ReportInput& in) {
  const Lab& lab = in.run->lab;
  std::string vars;
  for (const auto& v : lab.vars) vars += (vars.empty() ? "" : ", ") + v.name + " = " + v.value;
  std::string h = "<table class=\"meta\">\n";
  if (!in.student.empty()) h += "<tr><td>student</td><td>" + esc(in.student) + "</td></tr>\n";
  h += "<tr><td>lab</td><td>" + esc(lab.name) + "</td></tr>\n";
  h += "<tr><td>seed</td><td>" + std::to_string(lab.seed) + "</td></tr>\n";
  if (!vars.empty()) h += "<tr><td>variables</td><td>" + esc(vars) + "</td></tr>\n";
  h += "<tr><td>reproduce</td><td><code>" + esc(in.reproduce) + "</code></td></tr>\n";
  return h + "</table>\n";
}

std::string checks(const ReportInput& in) {
  const auto& results = in.run->checks;
  if (results.empty()) return "<h2 id=\"checks\">Checks</h2>\n<p>This lab has no checks.</p>\n";
  std::string h = "<h2 id=\"checks\">Checks</h2>\n<p class=\"summary\">" + esc(verdict_summary(results)) + "</p>\n";
  h += "<table class=\"checks\">\n<tr><th>verdict</th><th>check</th><th>expected</th><th>actual</th></tr>\n";
  for (const auto& r : results)
    h += fmt::format("<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", r.pass ? "pass" : "fail",
                     r.pass ? "PASS" : "FAIL", esc(r.name), esc(r.expected), esc(r.actual));
  h += "</table>\n";
  for (const auto& r : results)
    if (!r.pass) h += "<h3>Why " + esc(r.name) + " failed</h3>\n<pre class=\"narration\">" + esc(narrate(r, in.reproduce, false)) + "</pre>\n";
  return h;
}

// The ladder of the whole run (at most kMaxRows rows: a long transfer is said to go on).
constexpr std::size_t kMaxRows = 400;

std::string ladder(const ReportInput& in) {
  const TraceIndex& ix = *in.run->index;
  const World end = in.run->world_at(ix.size());
  draw::Scene s;
  s.index = &ix;
  s.world = &end;
  s.cursor = ix.size();
  s.now = end.now();
  s.followed = ix.default_pair();
  s.title = in.run->lab.name + " (seed " + std::to_string(in.run->lab.seed) + ")";
  s.mark_cursor = false;
  s.from = 0;
  const auto& rows = ix.rows();
  std::string note;
  if (rows.size() > kMaxRows) {
    s.to = rows[kMaxRows - 1].t_ns;
    note = fmt::format("<p>The first {} of the run's {} steps (up to {}); <code>tcplab draw</code> with --from/--to shows the others.</p>\n",
                       kMaxRows, rows.size(), layout::short_time(*s.to));
  }
  const auto [w, h] = draw::default_size(s, draw::What::Ladder);
  std::string svg = draw::svg(s, draw::What::Ladder, w, h);
  // Inside HTML the <svg> element needs no namespace: the page keeps no URL at all.
  const std::string ns = " xmlns=\"http://www.w3.org/2000/svg\"";
  if (const auto p = svg.find(ns); p != std::string::npos) svg.erase(p, ns.size());
  return "<h2 id=\"ladder\">The sequence ladder</h2>\n<p>Time runs down; an arrow per segment from its sender to where it "
         "arrived, labelled as tcpdump prints it; a lost segment ends in a cross, a retransmission is dashed; the "
         "lifelines are coloured by the connection's state, with each state change named.</p>\n" +
         note + "<div class=\"ladder\">\n" + svg + "</div>\n";
}

// Every state change of every connection, with the rule the stack applied.
std::string state_changes(const ReportInput& in) {
  const TraceIndex& ix = *in.run->index;
  std::string h = "<h2 id=\"states\">State changes</h2>\n<table class=\"states\">\n"
                  "<tr><th>time</th><th>endpoint</th><th>from &#8594; to</th><th>rule</th></tr>\n";
  for (const auto& e : ix.trace()) {
    if (e.type != TraceType::State) continue;
    h += fmt::format("<tr><td class=\"t\">{}</td><td>{} {}</td><td class=\"t\">{} &#8594; {}</td><td>{}</td></tr>\n",
                     esc(layout::short_time(e.t_ns)), esc(ix.host_names()[static_cast<std::size_t>(e.host)]), esc(e.conn),
                     state_name(e.from), state_name(e.to), esc(e.cause));
  }
  return h + "</table>\n";
}

// The run as `tcplab run` prints it: tcpdump lines, state changes with their rules, drops, app calls.
std::string text(const ReportInput& in) {
  TextViewOptions o;
  TextView tv(in.run->timeline->final_world().host_names(), o);
  std::string lines;
  for (const auto& e : in.run->index->trace())
    if (const std::string l = tv.line(e); !l.empty()) lines += l + "\n";
  return "<h2 id=\"text\">The run, as <code>tcplab run</code> prints it</h2>\n<p>Segments as tcpdump prints them; "
         "<code>**</code> a state change [the rule]; <code>XX</code> a drop; <code>..</code> an application call.</p>\n"
         "<pre class=\"text\">" + esc(lines) + "</pre>\n";
}

}  // namespace

std::string html_report(const ReportInput& in) {
  const Lab& lab = in.run->lab;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                  esc(lab.name + ": " + lab.title) + (in.student.empty() ? "" : " - " + esc(in.student)) + "</title>\n<style>\n" +
                  kStyle + "\n</style>\n</head>\n<body>\n";
  h += "<h1>" + esc(lab.name) + ": " + esc(lab.title) + "</h1>\n";
  if (!lab.goal.empty()) h += "<p class=\"goal\">" + esc(lab.goal) + "</p>\n";
  h += meta(in);
  h += checks(in);
  h += ladder(in);
  h += state_changes(in);
  h += text(in);
  if (!lab.explanation.empty()) h += "<h2 id=\"explanation\">Explanation</h2>\n<pre class=\"explanation\">" + esc(lab.explanation) + "</pre>\n";
  h += "<p><small>Written by tcplab " TCPLAB_VERSION ". Reproduce with <code>" + esc(in.reproduce) + "</code>.</small></p>\n";
  return h + "</body>\n</html>\n";
}

}  // namespace tcplab
