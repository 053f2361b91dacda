#pragma once
// Inside the lab loader (labs/lab.cpp and labs/lab_read_*.cpp), not for other parts: the
// checked TOML accessors every table reader uses, and one reader per table of a lab file.
// Each reader throws a positioned LabError at the first thing wrong; parse_lab calls them in
// the order that decides which error a file with several gets.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "labs/lab.hpp"

namespace tcplab::labread {

// Reads one lab file: every accessor checks type and range and throws a positioned LabError.
class Reader {
 public:
  // `text`: the file's source, when a reader must look at how a value was written (where a
  // multi-line string's first line starts); it must outlive the reader.
  explicit Reader(std::string file, std::string_view text = {}) : file_(std::move(file)), text_(text) {}

  SourcePos pos(const toml::node& n) const;
  SourcePos key_pos(const toml::key& k) const;
  [[noreturn]] void fail(const toml::node& n, const std::string& what) const { throw LabError(pos(n), what); }

  // Throws at the first key of `t` not in `keys`, with the likely one or the list.
  void allow(const toml::table& t, std::initializer_list<const char*> keys, const std::string& where) const;

  std::string str(const toml::node& n, const std::string& what) const;
  std::int64_t integer(const toml::node& n, const std::string& what, std::int64_t lo, std::int64_t hi) const;
  bool boolean(const toml::node& n, const std::string& what) const;
  Duration duration(const toml::node& n, const std::string& what) const;
  Ratio probability(const toml::node& n, const std::string& what) const;
  const toml::table& table(const toml::node& n, const std::string& what) const;
  const toml::array& array(const toml::node& n, const std::string& what) const;
  // "a string", "an integer", ...: for "must be X, not Y" messages.
  static std::string type_name(const toml::node& n);
  const std::string& file() const { return file_; }
  // Line `line` (1-based) of the source text, without its newline ("" if there is none).
  std::string_view source_line(int line) const;

 private:
  std::string file_;
  std::string_view text_;
};

// The lab's hosts as later tables may name them: by name, by IP, or by tag (A, B, ... in the
// order they are defined).
class HostNames {
 public:
  HostNames(const Reader& r, const std::vector<HostSpec>& hosts);
  bool has(const std::string& name) const { return names_.count(name) != 0; }
  bool is_tag(const std::string& t) const;
  // Throws at `n` unless `name` is a host's name or an IP address.
  void require(const toml::node& n, const std::string& name) const;

 private:
  const Reader& r_;
  std::set<std::string> names_;
  std::size_t count_;
};

// [vars]: each variable drawn for the student (or its default), then the --var overrides.
// Returns the values by name, for substitute().
std::map<std::string, std::string> read_vars(const Reader& r, const toml::table& root, const LoadOptions& opt,
                                             std::uint64_t seed, std::vector<VarSpec>& vars);
// Replaces every {{name}} in the strings under `n` (except [vars] itself).
void substitute(toml::node& n, const std::map<std::string, std::string>& vars, const Reader& r);

// The top-level `profile`, the base of every host's [host.tcp].
TcpConfig read_profile(const Reader& r, const toml::table& root);
// [[host]] with its [host.tcp].
std::vector<HostSpec> read_hosts(const Reader& r, const toml::table& root, const TcpConfig& base);

// [link] (or a [[path]] with `between`/`from`/`to` removed) onto `p`.
void read_link(const Reader& r, const toml::table& t, LinkParams& p, const std::string& where);
// [[path]]: per-pair settings on top of the default link.
std::vector<PathSpec> read_paths(const Reader& r, const toml::table& root, const LinkParams& link,
                                 const HostNames& hosts);

// [[bottleneck]]: shared bottlenecks; a [[path]] between hosts on its two sides is an error.
std::vector<BottleneckSpec> read_bottlenecks(const Reader& r, const toml::table& root, const std::vector<HostSpec>& hosts,
                                             const HostNames& names, const std::vector<PathSpec>& paths);

// [[app]]: a script, or a generator (clients, flood, scan).
// What a lab's generators ask for in memory (labs/budget.hpp), and the key that asks most.
struct AppCost {
  std::uint64_t bytes = 0;  // all generators together
  std::uint64_t largest = 0;
  std::string largest_key;  // "clients.count = 100000000"
  SourcePos largest_pos;
};
// app.peer = { target, port, own_port, script | file }: a scripted peer (lab_read_peer.cpp).
PeerGen read_peer(const Reader& r, const toml::node& n, const HostNames& hosts);
std::vector<AppSpec> read_apps(const Reader& r, const toml::table& root, const HostNames& hosts, AppCost* cost);

}  // namespace tcplab::labread
