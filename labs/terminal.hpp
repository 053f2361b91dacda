#pragma once
// Is output going to a terminal (colour it) and is input typed by a person (prompt)?
// Colour is also off when NO_COLOR is set (no-color.org). Under Node (the WebAssembly
// build of the command line) Emscripten's isatty() is always true, so Node is asked.
namespace tcplab {

bool stdout_is_terminal();
bool stdin_is_terminal();
bool color_stdout();  // stdout_is_terminal() and NO_COLOR unset

}  // namespace tcplab
