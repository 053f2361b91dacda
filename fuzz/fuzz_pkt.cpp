// libFuzzer target: a packetdrill-format script's text -> Script. Bad input must become a
// PktError with a position, never a crash, hang or other exception.
#include <cstdint>
#include <string>

#include "pkt/script.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)tcplab::pkt::parse_script(text, "fuzz.pkt");
    // The defaults-file reader takes the same bytes: it must refuse them just as cleanly.
    (void)tcplab::pkt::parse_defaults_file(text, "fuzz.sh");
  } catch (const tcplab::pkt::PktError&) {
  }
  return 0;
}
