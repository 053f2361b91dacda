# The WebAssembly build (emcmake): the same header-only Debian packages as the native build,
# seen through a private include dir of symlinks (adding /usr/include itself would put
# glibc's headers in front of Emscripten's libc). Compiled libraries are used header-only:
# toml++ (TOML_HEADER_ONLY) and fmt (FMT_HEADER_ONLY). libtins is not available for
# WebAssembly, so stack/wire uses its plain encoder there (tests/wire proves it byte-equal).
set(TCPLAB_WEB_DEPS ${CMAKE_BINARY_DIR}/deps-include)
file(MAKE_DIRECTORY ${TCPLAB_WEB_DEPS})
foreach(dir toml++ nlohmann fmt CLI)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "web build: /usr/include/${dir} is missing: run scripts/install-deps")
  endif()
  file(CREATE_LINK /usr/include/${dir} ${TCPLAB_WEB_DEPS}/${dir} SYMBOLIC)
endforeach()

add_library(web_deps INTERFACE)
target_include_directories(web_deps SYSTEM INTERFACE ${TCPLAB_WEB_DEPS})
target_compile_definitions(web_deps INTERFACE TOML_HEADER_ONLY=1 FMT_HEADER_ONLY=1)
foreach(t tomlplusplus::tomlplusplus nlohmann_json::nlohmann_json CLI11::CLI11 fmt::fmt)
  add_library(${t} ALIAS web_deps)
endforeach()

# C++ exceptions carry lab errors (LabError) to the page: native WebAssembly exceptions.
add_compile_options(-fwasm-exceptions)
add_link_options(-fwasm-exceptions)
