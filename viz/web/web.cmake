# tcplab.html (+ tcplab.js, tcplab.wasm) in the build dir: the visualizer for a browser.
# Included from viz/CMakeLists.txt in the Emscripten build (emcmake), after VIZ_GUI_SRC.
#
# ImGui: Debian ships no ImGui sources in a binary package (libimgui-dev has headers and a
# native .a), so the same 1.86 is taken from Debian's source package, unpacked into the build
# dir by `apt-get source imgui` (needs a deb-src line: scripts/install-deps adds it). Nothing
# of ImGui is copied into the tree. TCPLAB_IMGUI_SRC may point at an unpacked copy instead.
set(TCPLAB_IMGUI_SRC "" CACHE PATH "ImGui 1.86 sources (default: apt-get source imgui into the build dir)")
if(NOT TCPLAB_IMGUI_SRC)
  set(_deps ${CMAKE_BINARY_DIR}/_deps)
  file(GLOB _found LIST_DIRECTORIES true ${_deps}/imgui-*)
  if(NOT _found)
    file(MAKE_DIRECTORY ${_deps})
    message(STATUS "web build: fetching the ImGui sources with apt-get source imgui")
    execute_process(COMMAND apt-get source -q imgui WORKING_DIRECTORY ${_deps}
                    RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_VARIABLE _err)
    file(GLOB _found LIST_DIRECTORIES true ${_deps}/imgui-*)
    if(NOT _rc EQUAL 0 OR NOT _found)
      message(FATAL_ERROR "web build: `apt-get source imgui` failed (${_err}). scripts/install-deps adds the "
                          "deb-src line and dpkg-dev it needs; or pass -DTCPLAB_IMGUI_SRC=/path/to/imgui-1.86")
    endif()
  endif()
  list(FILTER _found EXCLUDE REGEX "\\.(tar|dsc)")
  list(GET _found 0 TCPLAB_IMGUI_SRC)
endif()
set(IM ${TCPLAB_IMGUI_SRC})
if(NOT EXISTS ${IM}/imgui.cpp OR NOT EXISTS ${IM}/misc/cpp/imgui_stdlib.cpp)
  message(FATAL_ERROR "web build: ${IM} does not look like the ImGui sources (no imgui.cpp)")
endif()

add_library(imgui_web STATIC ${IM}/imgui.cpp ${IM}/imgui_draw.cpp ${IM}/imgui_widgets.cpp ${IM}/imgui_tables.cpp
  ${IM}/misc/cpp/imgui_stdlib.cpp ${IM}/backends/imgui_impl_glfw.cpp ${IM}/backends/imgui_impl_opengl3.cpp)
target_include_directories(imgui_web SYSTEM PUBLIC ${IM} ${IM}/backends ${IM}/misc/cpp)
# WebGL 2 is OpenGL ES 3.0; the backend would otherwise pick ES 2 for Emscripten.
target_compile_definitions(imgui_web PUBLIC IMGUI_IMPL_OPENGL_ES3)
target_compile_options(imgui_web PRIVATE -w)
# ImGui's files each set up their own macros (the OpenGL backend's GL_* probes): one at a time.
set_target_properties(imgui_web PROPERTIES UNITY_BUILD OFF)

# Fonts: DejaVu Sans and Sans Mono, as on the desktop (fonts-dejavu-core), embedded at the
# same paths so theme.cpp finds them. The bold face is left out (700 kB); theme.cpp uses
# Sans for the badges when Bold is missing.
set(_fontdir /usr/share/fonts/truetype/dejavu)
# SHELL: keeps each "--embed-file X" pair together (CMake de-duplicates repeated options).
set(_embed "SHELL:--embed-file ${CMAKE_SOURCE_DIR}/labs/catalogue@/catalogue")
foreach(f DejaVuSans.ttf DejaVuSansMono.ttf)
  if(NOT EXISTS ${_fontdir}/${f})
    message(FATAL_ERROR "web build: ${_fontdir}/${f} is missing: apt-get install fonts-dejavu-core")
  endif()
  list(APPEND _embed "SHELL:--embed-file ${_fontdir}/${f}@${_fontdir}/${f}")
endforeach()
file(GLOB _labs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/labs/catalogue/*.toml)

add_executable(tcplab-web ${VIZ_GUI_SRC} ${CMAKE_CURRENT_SOURCE_DIR}/web/main.cpp)
target_link_libraries(tcplab-web PRIVATE tcplab_viz_core imgui_web)
set_target_properties(tcplab-web PROPERTIES OUTPUT_NAME tcplab SUFFIX ".html"
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
  LINK_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/web/shell.html;${_labs}")
# MINIFY_HTML=0: Emscripten 3.1.6's html minifier fails on .html output (a known bug).
target_link_options(tcplab-web PRIVATE -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
  -sALLOW_MEMORY_GROWTH=1 -sMINIFY_HTML=0 -sFORCE_FILESYSTEM=1 -sENVIRONMENT=web
  "-sEXPORTED_FUNCTIONS=_main,_malloc,_free,_tcplab_open_file,_tcplab_open_link"
  "-sEXPORTED_RUNTIME_METHODS=ccall,FS"
  "SHELL:--shell-file ${CMAKE_CURRENT_SOURCE_DIR}/web/shell.html" ${_embed})
