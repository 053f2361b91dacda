// labs/suggest: the one "did you mean" behind every misspelt key, host, lab and check kind;
// labs/terminal: the one place that knows the colour codes.
#include <doctest/doctest.h>

#include "labs/suggest.hpp"
#include "labs/terminal.hpp"

using namespace tcplab;

TEST_SUITE("suggest") {
  TEST_CASE("did_you_mean: the closest option within a typo's reach, else nothing") {
    const std::vector<std::string> keys = {"name", "ip", "tcp"};
    CHECK(did_you_mean("nmae", keys) == "name");
    CHECK(did_you_mean("tcpp", keys) == "tcp");
    CHECK(did_you_mean("address", keys).empty());
    CHECK(did_you_mean("x", {}).empty());
    // The reach grows with the word: 2 edits up to 8 letters, then a third of its length.
    CHECK(did_you_mean("keepalive_idel", {"keepalive_idle"}) == "keepalive_idle");
    CHECK(did_you_mean("abcdef", {"abcxyz"}).empty());
    CHECK(did_you_mean("abcdefghi", {"abcdefxyz"}) == "abcdefxyz");
    CHECK(did_you_mean("abcdefghi", {"abcdewxyz"}).empty());
  }

  TEST_CASE("closest_within: a fixed reach, and the first of equally close options") {
    CHECK(closest_within("handshak", {"handshake", "half-open"}, 3) == "handshake");
    CHECK(closest_within("ab", {"xb", "ax"}, 1) == "xb");
    CHECK(closest_within("abcd", {"wxyz"}, 3).empty());
    CHECK(closest_within("abcd", {"wxyz"}, 4) == "wxyz");
  }
}

TEST_SUITE("terminal") {
  TEST_CASE("paint: an ANSI colour and a reset when on, the text alone when off") {
    CHECK(paint(Color::Red, "FAIL", true) == "\033[31mFAIL\033[0m");
    CHECK(paint(Color::Green, "PASS", true) == "\033[32mPASS\033[0m");
    CHECK(paint(Color::Red, "FAIL", false) == "FAIL");
  }
}
