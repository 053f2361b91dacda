// Chunked, the trace sink's container: elements stay put as it grows (a reference taken
// early still reads the same event), indexing and random-access iterators agree with a
// vector across chunk boundaries, and copies are deep.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/chunked.hpp"

using namespace tcplab;

TEST_CASE("chunked: agrees with a vector across chunk boundaries; elements never move") {
  Chunked<std::string, 3> c;  // chunks of 8, so 100 elements cross 12 boundaries
  std::vector<std::string> v;
  c.emplace_back("first");
  v.emplace_back("first");
  const std::string* first = &c[0];
  for (int i = 1; i < 100; ++i) {
    c.push_back(std::to_string(i * 7));
    v.push_back(std::to_string(i * 7));
  }
  CHECK(first == &c[0]);  // a vector would have moved it several times
  REQUIRE(c.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(c[i] == v[i]);
  CHECK(std::equal(c.begin(), c.end(), v.begin(), v.end()));
  CHECK(c.end() - c.begin() == 100);
  CHECK(*(c.begin() + 57) == v[57]);
  CHECK(c.back() == "693");

  Chunked<int, 2> n;
  for (int i = 0; i < 50; ++i) n.push_back(i * 2);
  auto it = std::upper_bound(n.begin(), n.end(), 31);  // what Timeline::seek_time does
  CHECK(it - n.begin() == 16);
  CHECK(*it == 32);

  Chunked<std::string, 3> copy = c;
  copy[5] = "changed";
  CHECK(c[5] == v[5]);
  Chunked<std::string, 3> part;
  part.assign(c.begin(), c.begin() + 20);
  CHECK(part.size() == 20);
  CHECK(part.back() == v[19]);
  part.clear();
  CHECK(part.empty());
}
