#pragma once
// BBR v1, as Linux's tcp_bbr.c. PLACEHOLDER until the BBR work lands: behaves as NewReno.
#include "stack/cc_newreno.hpp"

namespace tcplab {

struct Bbr : NewReno {
  std::string_view phase(const CcWindow&) const { return ""; }
};

}  // namespace tcplab
