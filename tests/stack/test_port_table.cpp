// PortTable (stack/port_table.hpp), a host's local ports and their users: unused ports read
// as none, counts land on their own port only, and a copy is independent.
#include <doctest/doctest.h>

#include "stack/port_table.hpp"

using namespace tcplab;

TEST_CASE("port table: ports read as unused until counted; pages are made as needed; copies are deep") {
  PortTable t;
  CHECK(t.get(0).all == 0);
  CHECK(t.get(65535).all == 0);
  t.at(80).all = 3;
  t.at(80).no_reuse = 1;
  t.at(65535).all = 1;
  CHECK(t.get(80).all == 3);
  CHECK(t.get(80).no_reuse == 1);
  CHECK(t.get(79).all == 0);   // same page, another port
  CHECK(t.get(81).all == 0);
  CHECK(t.get(336).all == 0);  // another page (80 + 256)
  CHECK(t.get(65535).all == 1);
  PortTable copy = t;
  t.at(80).all = 0;
  t.at(40000).all = 7;
  CHECK(copy.get(80).all == 3);
  CHECK(copy.get(40000).all == 0);
  CHECK(t.get(40000).all == 7);
}
