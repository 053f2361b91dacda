#include "labs/suggest.hpp"

#include <algorithm>
#include <vector>

namespace tcplab {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> d(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = d[0];
    d[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = d[j];
      d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return d[b.size()];
}

std::string closest_within(const std::string& word, const std::vector<std::string>& options, std::size_t max_distance) {
  const std::string* best = nullptr;
  std::size_t best_d = 0;
  for (const auto& o : options) {
    const std::size_t d = edit_distance(word, o);
    if (!best || d < best_d) best = &o, best_d = d;
  }
  return best && best_d <= max_distance ? *best : "";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& options) {
  return closest_within(word, options, std::max<std::size_t>(2, word.size() / 3));
}

}  // namespace tcplab
