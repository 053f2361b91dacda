// [vars]: per-student parameters, drawn from the seed and the student id, and {{name}}
// substitution in every string of the lab.
#include "labs/lab_reader.hpp"

namespace tcplab::labread {

namespace {

std::uint64_t draw_seed(std::uint64_t seed, const std::optional<std::string>& student, const std::string& var) {
  std::uint64_t h = mix64(seed);
  if (student)
    for (char c : *student) h = mix64(h ^ static_cast<unsigned char>(c));
  for (char c : var) h = mix64(h ^ static_cast<unsigned char>(c));
  return h;
}

VarSpec read_var(const Reader& r, const toml::key& k, const toml::node& v, const LoadOptions& opt, std::uint64_t seed) {
  VarSpec var;
  var.name = std::string(k.str());
  var.pos = r.key_pos(k);
  const auto& spec = r.table(v, "vars." + var.name);
  r.allow(spec, {"choices", "min", "max", "default"}, "vars." + var.name);
  if (auto* c = spec.get("choices")) {
    const auto& a = r.array(*c, "vars." + var.name + ".choices");
    if (a.empty()) r.fail(*c, "vars." + var.name + ".choices is empty");
    for (auto& e : a) {
      if (e.is_string()) var.choices.push_back(*e.value<std::string>());
      else if (e.is_integer()) var.choices.push_back(std::to_string(*e.value<std::int64_t>()));
      else r.fail(e, "vars." + var.name + ".choices holds strings or integers");
    }
  } else if (spec.get("min") && spec.get("max")) {
    var.min = r.integer(*spec.get("min"), "vars." + var.name + ".min", INT64_MIN / 4, INT64_MAX / 4);
    var.max = r.integer(*spec.get("max"), "vars." + var.name + ".max", INT64_MIN / 4, INT64_MAX / 4);
    if (*var.max < *var.min) r.fail(v, "vars." + var.name + ": max < min");
  } else {
    r.fail(v, "vars." + var.name + " needs choices = [...] or min and max");
  }
  std::string deflt;
  if (auto* d = spec.get("default")) deflt = d->is_string() ? *d->value<std::string>() : std::to_string(r.integer(*d, "default", INT64_MIN / 4, INT64_MAX / 4));
  // The default is what an unnamed student runs; a named student draws a variant.
  if (opt.student || deflt.empty()) {
    const std::uint64_t h = draw_seed(seed, opt.student, var.name);
    if (!var.choices.empty()) var.value = var.choices[h % var.choices.size()];
    else var.value = std::to_string(*var.min + static_cast<std::int64_t>(h % static_cast<std::uint64_t>(*var.max - *var.min + 1)));
  } else {
    var.value = deflt;
  }
  return var;
}

}  // namespace

std::map<std::string, std::string> read_vars(const Reader& r, const toml::table& root, const LoadOptions& opt,
                                             std::uint64_t seed, std::vector<VarSpec>& vars) {
  std::map<std::string, std::string> values;
  if (auto* n = root.get("vars")) {
    const auto& vt = r.table(*n, "[vars]");
    for (auto&& [k, v] : vt) {
      VarSpec var = read_var(r, k, v, opt, seed);
      values[var.name] = var.value;
      vars.push_back(var);
    }
  }
  for (const auto& [k, v] : opt.vars) {
    if (!values.count(k)) throw LabError(SourcePos{r.file(), 0, 0}, "--var " + k + ": the lab has no variable '" + k + "'");
    values[k] = v;
    for (auto& var : vars)
      if (var.name == k) var.value = v;
  }
  return values;
}

void substitute(toml::node& n, const std::map<std::string, std::string>& vars, const Reader& r) {
  if (auto* s = n.as_string()) {
    std::string v = s->get();
    std::size_t at = 0;
    while ((at = v.find("{{", at)) != std::string::npos) {
      const auto end = v.find("}}", at);
      if (end == std::string::npos) r.fail(n, "unterminated '{{' in \"" + s->get() + "\"");
      std::string name = v.substr(at + 2, end - at - 2);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      auto it = vars.find(name);
      if (it == vars.end()) r.fail(n, "unknown variable '{{" + name + "}}' (declare it under [vars])");
      v.replace(at, end + 2 - at, it->second);
      at += it->second.size();
    }
    s->get() = v;
  } else if (auto* a = n.as_array()) {
    for (auto& e : *a) substitute(e, vars, r);
  } else if (auto* t = n.as_table()) {
    for (auto&& [k, e] : *t) {
      if (k.str() == "vars") continue;
      substitute(e, vars, r);
    }
  }
}

}  // namespace tcplab::labread
