#pragma once
// Is output going to a terminal (colour it) and is input typed by a person (prompt)?
// Colour is also off when NO_COLOR is set (no-color.org). Under Node (the WebAssembly
// build of the command line) Emscripten's isatty() is always true, so Node is asked.
// The colour codes live here, so every coloured verdict looks the same (labs/junit strips
// any such sequence from reports).
#include <string>

namespace tcplab {

bool stdout_is_terminal();
bool stdin_is_terminal();
bool color_stdout();  // stdout_is_terminal() and NO_COLOR unset

enum class Color { Red, Green, Yellow };

// `text` in `color` (an ANSI SGR sequence, then a reset) when `on`, else `text` unchanged.
std::string paint(Color color, const std::string& text, bool on);

}  // namespace tcplab
