#include "labs/terminal.hpp"

#include <cstdlib>

#include <unistd.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace tcplab {

bool stdout_is_terminal() {
#ifdef __EMSCRIPTEN__
  return EM_ASM_INT({ return (typeof process !== "undefined" && process.stdout && process.stdout.isTTY) ? 1 : 0; }) != 0;
#else
  return isatty(STDOUT_FILENO) != 0;
#endif
}

bool stdin_is_terminal() {
#ifdef __EMSCRIPTEN__
  return EM_ASM_INT({ return (typeof process !== "undefined" && process.stdin && process.stdin.isTTY) ? 1 : 0; }) != 0;
#else
  return isatty(STDIN_FILENO) != 0;
#endif
}

bool color_stdout() {
  const char* no_color = std::getenv("NO_COLOR");
  return stdout_is_terminal() && !(no_color && *no_color);
}

std::string paint(Color color, const std::string& text, bool on) {
  if (!on) return text;
  const char* code = color == Color::Red ? "\033[31m" : color == Color::Green ? "\033[32m" : "\033[33m";
  return code + text + "\033[0m";
}

}  // namespace tcplab
