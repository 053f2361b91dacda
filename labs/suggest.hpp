#pragma once
// "Did you mean ...?": the edit distance behind every suggestion for a misspelt key, host,
// lab, check kind or answer.
#include <cstddef>
#include <string>
#include <vector>

namespace tcplab {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The option closest to `word` (the first of equally close ones) if it is at most
// `max_distance` edits away, else "".
std::string closest_within(const std::string& word, const std::vector<std::string>& options, std::size_t max_distance);

// The option `word` is probably a typo of, else "": closest_within a typo's reach, which
// grows with the word (max(2, |word| / 3) edits) so that long keys may carry two slips.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& options);

}  // namespace tcplab
