#pragma once
// CUBIC (RFC 9438), as Linux's tcp_cubic.c does it under `linux`. PLACEHOLDER until the
// CUBIC work lands: behaves as NewReno.
#include "stack/cc_newreno.hpp"

namespace tcplab {

struct Cubic : NewReno {
  std::string_view phase(const CcWindow&) const { return ""; }
};

}  // namespace tcplab
