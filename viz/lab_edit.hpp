#pragma once
// Saving a fork as a lab: the fault rules that made the fork are appended to the lab file's
// top-level `faults = [...]` array (or the array is added before the first table), editing
// the text so comments and layout stay as written. The result goes to a new file; an
// existing file is only replaced when the caller says so.
#include <string>
#include <vector>

namespace tcplab::viz {

// The lab text with `rules` appended to its faults array. On failure returns "" and sets *error.
std::string add_faults_to_lab_text(const std::string& text, const std::vector<std::string>& rules, std::string* error);

// "handshake-drop-A-B-3": a file stem that names the change.
std::string fork_stem(const std::string& lab_name, const std::vector<std::string>& rules);
// dir/stem.toml, or dir/stem-2.toml, ... : the first that does not exist.
std::string fresh_path(const std::string& dir, const std::string& stem, const std::string& ext = ".toml");

struct SaveResult {
  enum class Outcome { Written, Exists, Failed } outcome = Outcome::Failed;
  std::string message;  // one line for the status bar
};
// Reads lab_path, adds the rules, checks the result loads as a lab, writes out_path.
// Returns Exists (and writes nothing) if out_path exists and !overwrite.
SaveResult save_lab_with_faults(const std::string& lab_path, const std::vector<std::string>& rules,
                                const std::string& out_path, bool overwrite);

}  // namespace tcplab::viz
