#include "labs/grade.hpp"
#include "labs/suggest.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "labs/checks.hpp"
#include "labs/runner.hpp"
#include "labs/step.hpp"

namespace tcplab {

namespace {

SourcePos pos_of(const std::string& file, const toml::source_region& s) {
  return SourcePos{file, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

std::string string_at(const std::string& file, const toml::node& n, const std::string& what) {
  if (!n.is_string()) throw LabError(pos_of(file, n.source()), what + " must be a string");
  return *n.value<std::string>();
}

std::vector<std::string> strings_at(const std::string& file, const toml::node& n, const std::string& what) {
  if (!n.is_array()) throw LabError(pos_of(file, n.source()), what + " must be a list of strings, e.g. [\"...\", \"...\"]");
  std::vector<std::string> v;
  for (const auto& e : *n.as_array()) v.push_back(string_at(file, e, what + " entries"));
  return v;
}

std::vector<std::string> kind_names() {
  std::vector<std::string> v;
  for (const auto& k : check_kinds()) v.push_back(k.substr(0, k.find(':')));
  return v;
}

// "[12] client 10.0.0.1:39870: segment", from the prompt "[12] next: client 10.0.0.1:39870 — ..."
std::string item_name(const StepItem& it) {
  std::string head = it.prompt.substr(0, it.prompt.find(" \u2014"));
  if (const auto at = head.find("next: "); at != std::string::npos) head.erase(at, 6);
  switch (it.what) {
    case StepItem::What::Segment: return head + ": segment";
    case StepItem::What::State: return head + ": state";
    case StepItem::What::Question: return it.prompt.substr(0, it.prompt.find('\n'));  // without its choices
  }
  return it.prompt;
}

GradeResult grade_predictions(const Answers& a) {
  LoadOptions o;
  o.student = a.student;
  LabRun run = run_lab(load_lab(a.lab, o), std::nullopt, false);
  const std::vector<StepItem> items = step_items(run);
  GradeResult g;
  g.suite.name = run.lab.name + " (" + a.student + ")";
  g.suite.properties.emplace_back("student", a.student);
  g.suite.properties.emplace_back("seed", std::to_string(run.lab.seed));
  for (const auto& v : run.lab.vars) g.suite.properties.emplace_back("var." + v.name, v.value);
  std::ostringstream out;
  out << "# " << run.lab.name << " for " << a.student << "  SEED=" << run.lab.seed;
  for (const auto& v : run.lab.vars) out << "  " << v.name << "=" << v.value;
  out << "\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    const StepItem& it = items[i];
    const bool given = i < a.predictions.size();
    const std::string said = given ? a.predictions[i] : "";
    const StepScore s = score_answer(it, said);
    TestCaseReport c;
    c.name = item_name(it);
    c.classname = "tcplab." + run.lab.name;
    c.type = it.what == StepItem::What::Segment ? "segment" : it.what == StepItem::What::State ? "state" : "question";
    c.score = s.points;
    c.max_score = s.max_points;
    c.pass = s.points == s.max_points;
    const std::string told = "prediction " + std::to_string(i + 1) + ": " + (given ? "\"" + said + "\"" : "(none given)") +
                             "\n" + step_feedback(it, s, false);
    if (c.pass) c.output = told;
    else c.message = told;
    c.details["prediction"] = given ? nlohmann::ordered_json(said) : nlohmann::ordered_json(nullptr);
    c.details["answer"] = it.answer;
    c.details["verdict"] = s.verdict;
    c.details["seq_no"] = it.seq_no;
    g.points += s.points;
    g.max_points += s.max_points;
    out << "  " << (c.pass ? "RIGHT" : "WRONG") << "  " << c.name << "  " << s.points << "/" << s.max_points;
    if (!c.pass) out << "  (said " << (given ? "\"" + said + "\"" : "nothing") << "; answer " << it.answer << ")";
    out << "\n";
    if (it.question)  // a multiple-choice question's choices, as `tcplab step` showed them
      for (const auto& ch : it.question->choices) out << "         " << &ch - it.question->choices.data() + 1 << ") " << ch << "\n";
    g.suite.cases.push_back(std::move(c));
  }
  if (a.predictions.size() > items.size())
    out << "  (" << a.predictions.size() - items.size() << " predictions after the last event were ignored)\n";
  g.suite.details["points"] = g.points;
  g.suite.details["max_points"] = g.max_points;
  g.pass = g.points == g.max_points;
  out << "score: " << g.points << "/" << g.max_points << "\n";
  g.text = out.str();
  return g;
}

GradeResult grade_lab_file(const Answers& a) {
  LoadOptions o;
  o.student = a.student;
  LabRun run = run_lab(load_lab(a.lab_file, o));
  GradeResult g;
  g.suite = check_suite(run, "tcplab run " + a.lab_file + " --seed " + std::to_string(run.lab.seed) + " --student " + a.student);
  g.suite.name = (a.lab.empty() ? run.lab.name : a.lab) + " (" + a.student + ")";
  g.suite.properties.emplace_back("student", a.student);
  // The goal: the lab uses each required kind of check.
  std::set<std::string> used;
  for (const auto& c : run.lab.checks) used.insert(c.kind);
  std::vector<std::string> missing;
  for (const auto& k : a.require)
    if (!used.count(k)) missing.push_back(k);
  TestCaseReport goal;
  goal.name = "goal: the lab has checks of kind " + (a.require.empty() ? std::string("(none required)") : [&] {
    std::string s;
    for (const auto& k : a.require) s += (s.empty() ? "" : ", ") + k;
    return s;
  }());
  goal.classname = "tcplab." + run.lab.name;
  goal.type = "goal";
  goal.pass = missing.empty();
  goal.score = goal.pass ? 1 : 0;
  std::string miss;
  for (const auto& k : missing) miss += (miss.empty() ? "" : ", ") + k;
  if (goal.pass) goal.output = "every required kind is used";
  else goal.message = "the lab has no check of kind " + miss + " (add [[check]] tables with kind = \"" + missing[0] + "\")";
  g.suite.cases.push_back(goal);
  std::ostringstream out;
  out << "# " << g.suite.name << ": " << run.lab.path << "  SEED=" << run.lab.seed << "\n";
  for (const auto& c : g.suite.cases) {
    g.points += c.score;
    g.max_points += c.max_score;
    out << "  " << (c.pass ? "PASS" : "FAIL") << "  " << c.name << "\n";
    if (!c.pass) {
      std::istringstream lines(c.message);
      std::string l;
      while (std::getline(lines, l)) out << "        " << l << "\n";
    }
  }
  g.pass = g.points == g.max_points;
  out << "score: " << g.points << "/" << g.max_points << "\n";
  g.text = out.str();
  return g;
}

}  // namespace

Answers parse_answers(const std::string& text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw LabError(pos_of(path, e.source()), "TOML syntax: " + std::string(e.description()));
  }
  const std::vector<std::string> keys = {"lab", "student", "predictions", "lab_file", "require"};
  for (auto&& [k, v] : root) {
    const std::string key(k.str());
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    const std::string best = did_you_mean(key, keys);
    throw LabError(pos_of(path, k.source()), "unknown key '" + key + "' in the answers file" +
                                                 (best.empty() ? " (keys: lab, student, predictions, lab_file, require)"
                                                               : "; did you mean '" + best + "'?"));
  }
  Answers a;
  a.path = path;
  if (auto* n = root.get("lab")) a.lab = string_at(path, *n, "lab");
  if (auto* n = root.get("student")) a.student = string_at(path, *n, "student");
  else throw LabError(SourcePos{path, 1, 1}, "the answers file has no student (add: student = \"ID\")");
  if (a.student.empty()) throw LabError(pos_of(path, root.get("student")->source()), "student is empty");
  auto* preds = root.get("predictions");
  auto* file = root.get("lab_file");
  if (preds && file)
    throw LabError(pos_of(path, file->source()), "give either predictions or lab_file, not both");
  if (!preds && !file)
    throw LabError(SourcePos{path, 1, 1}, "the answers file needs predictions = [...] or lab_file = \"...\"");
  if (preds) {
    if (a.lab.empty()) throw LabError(SourcePos{path, 1, 1}, "predictions need lab = \"NAME\" (the lab they predict)");
    a.has_predictions = true;
    a.predictions = strings_at(path, *preds, "predictions");
    if (auto* r = root.get("require"))
      throw LabError(pos_of(path, r->source()), "require goes with lab_file (a student's own lab), not with predictions");
  } else {
    a.lab_file = string_at(path, *file, "lab_file");
    if (a.lab_file.empty()) throw LabError(pos_of(path, file->source()), "lab_file is empty");
    namespace fs = std::filesystem;
    if (fs::path(a.lab_file).is_relative()) {
      const fs::path dir = fs::path(path).parent_path();
      if (!dir.empty()) a.lab_file = (dir / a.lab_file).string();
    }
    if (!fs::exists(a.lab_file)) throw LabError(pos_of(path, file->source()), "lab_file '" + a.lab_file + "' does not exist");
    if (auto* r = root.get("require")) {
      a.require = strings_at(path, *r, "require");
      const auto kinds = kind_names();
      for (std::size_t i = 0; i < a.require.size(); ++i) {
        const std::string& k = a.require[i];
        if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) continue;
        const std::string best = did_you_mean(k, kinds);
        throw LabError(pos_of(path, r->as_array()->get(i)->source()),
                       "require: '" + k + "' is not a check kind" + (best.empty() ? "" : "; did you mean '" + best + "'?"));
      }
    }
  }
  return a;
}

Answers load_answers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LabError(SourcePos{path, 0, 0}, "cannot read the answers file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_answers(ss.str(), path);
}

GradeResult grade(const Answers& a) { return a.has_predictions ? grade_predictions(a) : grade_lab_file(a); }

}  // namespace tcplab
