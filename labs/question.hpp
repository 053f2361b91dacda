#pragma once
// Scoring a [[question]]'s free answer (QuestionSpec in labs/lab.hpp): the exact text (case
// and spacing aside), a multiple choice (its number or its text), keywords (every entry must
// appear, case-insensitive; an entry's alternatives are separated by '|'), or a regular
// expression (ECMAScript, case-insensitive, found anywhere in the answer).
#include <string>

#include "labs/lab.hpp"

namespace tcplab {

// Why `pattern` is not a valid ECMAScript regular expression ("" when it is).
std::string question_pattern_error(const std::string& pattern);
// Whether `said` answers the question right.
// An answer as it is compared: lower case, runs of spaces as one, no spaces at the ends.
std::string normalize_answer(const std::string& s);
bool question_right(const QuestionSpec& q, const std::string& said);
// The right answer as a student is told it: the text, "2) the text", "an answer naming ...".
std::string question_answer_text(const QuestionSpec& q);

}  // namespace tcplab
