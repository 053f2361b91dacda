#include "viz/time_text.hpp"

#include <fmt/format.h>

namespace tcplab::viz {

std::string short_time(Instant t) {
  if (t < ms(1)) return fmt::format("{} us", t / 1000);
  if (t < sec(1)) return fmt::format("{}.{:03} ms", t / ms(1), (t % ms(1)) / 1000);
  return fmt::format("{}.{:03} s", t / sec(1), (t % sec(1)) / ms(1));
}

std::string short_duration(Duration d) {
  if (d < 0) d = 0;
  if (d < ms(1)) return fmt::format("{} us", d / 1000);
  if (d < sec(1)) return fmt::format("{} ms", d / ms(1));
  if (d < sec(100)) return fmt::format("{}.{:02} s", d / sec(1), (d % sec(1)) / ms(10));
  return fmt::format("{} s", d / sec(1));
}

}  // namespace tcplab::viz
