// libFuzzer target: a lab file's text -> Lab (and a short run when it loads). Bad input must
// become a LabError with a position, never a crash, hang or other exception.
#include <cstdint>
#include <string>

#include "labs/lab.hpp"
#include "labs/runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    tcplab::Lab lab = tcplab::parse_lab(text, "fuzz.toml");
    // Bound the run: the fuzzer is after the loader, not long simulations.
    tcplab::World w = tcplab::build_world(lab);
    w.run(20'000, tcplab::sec(10));
  } catch (const tcplab::LabError&) {
  }
  return 0;
}
