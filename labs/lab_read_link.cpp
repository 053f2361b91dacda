// [link] (the default for every pair of hosts) and [[path]] (one pair, or one direction).
#include "labs/lab_reader.hpp"

#include <algorithm>

#include "labs/suggest.hpp"

namespace tcplab::labread {

void read_link(const Reader& r, const toml::table& t, LinkParams& p, const std::string& where) {
  static const std::vector<std::string> keys = {"delay", "jitter", "rate", "queue", "loss", "duplicate", "reorder",
                                                "reorder_delay", "corrupt", "burst", "down"};
  // Not allow(): a narrower suggestion and no list of valid keys, as link keys always had.
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    const std::string best = closest_within(key, keys, 2);
    throw LabError(r.key_pos(k), "unknown key '" + key + "' in " + where +
                                     (best.empty() ? "" : "; did you mean '" + best + "'?"));
  }
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    const std::string w = where + "." + key;
    if (key == "delay") p.delay_ns = r.duration(v, w);
    else if (key == "jitter") p.jitter_ns = r.duration(v, w);
    else if (key == "rate") {
      auto rate = v.is_string() ? parse_rate(*v.value<std::string>()) : std::nullopt;
      if (!rate) r.fail(v, w + " must be a rate such as \"1Gbps\", \"100Mbps\" or \"64kbps\"");
      p.rate_bps = *rate;
    } else if (key == "queue") p.queue_pkts_max = static_cast<std::uint32_t>(r.integer(v, w, 1, 10'000'000));
    else if (key == "loss") p.loss = r.probability(v, w);
    else if (key == "duplicate") p.duplicate = r.probability(v, w);
    else if (key == "reorder") p.reorder = r.probability(v, w);
    else if (key == "corrupt") p.corrupt = r.probability(v, w);
    else if (key == "reorder_delay") p.reorder_extra_ns = r.duration(v, w);
    else if (key == "burst") {
      const auto& b = r.table(v, w);
      r.allow(b, {"enter", "leave", "loss_bad", "loss_good"}, w);
      if (auto* n = b.get("enter")) p.burst.good_to_bad = r.probability(*n, w + ".enter");
      if (auto* n = b.get("leave")) p.burst.bad_to_good = r.probability(*n, w + ".leave");
      if (auto* n = b.get("loss_bad")) p.burst.loss_bad = r.probability(*n, w + ".loss_bad");
      if (auto* n = b.get("loss_good")) p.burst.loss_good = r.probability(*n, w + ".loss_good");
      if (p.burst.good_to_bad.zero()) r.fail(v, w + " needs enter > 0 (the chance to enter the bad state)");
    } else if (key == "down") {
      const auto& a = r.array(v, w);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto& iv = r.array(*a.get(i), w + "[" + std::to_string(i) + "]");
        if (iv.size() != 2) r.fail(*a.get(i), w + " intervals are [\"from\", \"to\"]");
        const Duration from = r.duration(*iv.get(0), w), to = r.duration(*iv.get(1), w);
        if (to <= from) r.fail(*a.get(i), w + ": the interval ends before it starts");
        p.down.emplace_back(from, to);
      }
    }
  }
}

std::vector<PathSpec> read_paths(const Reader& r, const toml::table& root, const LinkParams& link,
                                 const HostNames& hosts) {
  std::vector<PathSpec> paths;
  if (auto* n = root.get("path")) {
    const auto& pa = r.array(*n, "path (write [[path]])");
    for (std::size_t i = 0; i < pa.size(); ++i) {
      const auto& t = r.table(*pa.get(i), "[[path]]");
      PathSpec p;
      p.pos = r.pos(t);
      p.params = link;
      toml::table rest = t;
      if (auto* b = t.get("between")) {
        const auto& a = r.array(*b, "path.between");
        if (a.size() != 2) r.fail(*b, "path.between names two hosts");
        p.a = r.str(*a.get(0), "path.between[0]");
        p.b = r.str(*a.get(1), "path.between[1]");
        hosts.require(*a.get(0), p.a);
        hosts.require(*a.get(1), p.b);
        rest.erase("between");
      } else if (t.get("from") && t.get("to")) {
        p.a = r.str(*t.get("from"), "path.from");
        p.b = r.str(*t.get("to"), "path.to");
        hosts.require(*t.get("from"), p.a);
        hosts.require(*t.get("to"), p.b);
        p.one_way = true;
        rest.erase("from");
        rest.erase("to");
      } else {
        r.fail(t, "[[path]] needs between = [\"a\", \"b\"] or from = \"a\" and to = \"b\"");
      }
      read_link(r, rest, p.params, "[[path]]");
      paths.push_back(p);
    }
  }
  return paths;
}

}  // namespace tcplab::labread
