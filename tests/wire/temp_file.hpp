#pragma once
// A file in a per-process temp directory, removed when the guard goes (ctest may run the cases
// of a test binary in parallel processes, and other checkouts may test at the same time).
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("tcplab-test-wire-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path = (dir / name).string();
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    std::filesystem::remove(std::filesystem::path(path).parent_path(), ec);  // only if empty
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};
