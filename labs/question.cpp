#include "labs/question.hpp"

#include <charconv>
#include <regex>
#include <sstream>

namespace tcplab {

namespace {

std::vector<std::string> alternatives(const std::string& entry) {
  std::vector<std::string> v;
  std::size_t from = 0;
  for (;;) {
    const auto bar = entry.find('|', from);
    v.push_back(normalize_answer(entry.substr(from, bar == std::string::npos ? std::string::npos : bar - from)));
    if (bar == std::string::npos) return v;
    from = bar + 1;
  }
}

}  // namespace

// Lower case, runs of spaces as one, no spaces at the ends.
std::string normalize_answer(const std::string& s) {
  std::istringstream in(s);
  std::string out, w;
  while (in >> w) {
    if (!out.empty()) out += ' ';
    for (char c : w) out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

std::string question_pattern_error(const std::string& pattern) {
  try {
    std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
    return "";
  } catch (const std::regex_error& e) {
    return e.what();
  }
}

bool question_right(const QuestionSpec& q, const std::string& said) {
  const std::string a = normalize_answer(said);
  if (a.empty()) return false;
  if (!q.choices.empty()) {
    std::string n = a;
    if (n.size() > 1 && (n.back() == ')' || n.back() == '.')) n.pop_back();  // "2)" as the choice is shown
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (ec == std::errc() && p == n.data() + n.size()) return v == q.choice;
    return a == normalize_answer(q.choices[q.choice - 1]);
  }
  if (!q.keywords.empty()) {
    for (const auto& k : q.keywords) {
      bool found = false;
      for (const auto& alt : alternatives(k)) found = found || a.find(alt) != std::string::npos;
      if (!found) return false;
    }
    return true;
  }
  if (!q.pattern.empty()) {
    const std::regex re(q.pattern, std::regex::ECMAScript | std::regex::icase);
    return std::regex_search(said, re);
  }
  return a == normalize_answer(q.answer);
}

std::string question_answer_text(const QuestionSpec& q) {
  if (!q.choices.empty()) return std::to_string(q.choice) + ") " + q.choices[q.choice - 1];
  if (!q.keywords.empty()) {
    std::string s = "an answer naming ";
    for (std::size_t i = 0; i < q.keywords.size(); ++i) {
      if (i) s += i + 1 == q.keywords.size() ? " and " : ", ";
      std::string alts;
      std::size_t from = 0;
      const std::string& k = q.keywords[i];
      for (;;) {
        const auto bar = k.find('|', from);
        std::string alt = k.substr(from, bar == std::string::npos ? std::string::npos : bar - from);
        alts += (alts.empty() ? "\"" : " or \"") + alt + "\"";
        if (bar == std::string::npos) break;
        from = bar + 1;
      }
      s += k.find('|') == std::string::npos ? alts : "(" + alts + ")";
    }
    return s;
  }
  if (!q.pattern.empty()) return "an answer matching /" + q.pattern + "/ (case-insensitive)";
  return q.answer;
}

}  // namespace tcplab
