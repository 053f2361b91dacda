#pragma once
// "Did you mean ...?": the edit distance behind every suggestion for a misspelt key, host,
// lab, check kind or answer.
#include <cstddef>
#include <string>

namespace tcplab {

// Levenshtein distance: insertions, deletions and substitutions each cost 1.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace tcplab
