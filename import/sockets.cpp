#include "import/sockets.hpp"

#include <algorithm>

#include "sim/capture.hpp"

namespace tcplab::capture {

void CaptureSockets::event(const TraceEvent& e) {
  if (e.type == TraceType::State) {
    const auto key = std::pair{e.host, e.conn};
    auto it = socks_.find(key);
    if (e.to == State::Closed) {
      if (it != socks_.end()) socks_.erase(it);
      return;
    }
    if (it == socks_.end()) {
      it = socks_.emplace(key, Sock{}).first;
      it->second.host = e.host;
      it->second.order = next_++;
      it->second.passive = e.from == State::Listen;
      host_of_local_[e.conn] = e.host;
    }
    it->second.state = e.to;
    return;
  }
  if (e.type != TraceType::Send) return;
  sent(e);
  arrived(e);
}

// The sender's socket: what it sent.
void CaptureSockets::sent(const TraceEvent& e) {
  const Segment& s = e.seg;
  if (auto it = socks_.find({e.host, e.conn}); it != socks_.end()) {
    Sock& k = it->second;
    k.local = s.src;
    k.remote = s.dst;
    const std::uint32_t end = s.seq.raw() + e.len + (s.has(kSyn) ? 1U : 0U) + (s.has(kFin) ? 1U : 0U);
    if (!k.sent || seq_gt(Seq32{end}, Seq32{k.snd_nxt})) k.snd_nxt = end;
    if (!k.sent) k.snd_una = s.seq.raw();
    k.sent = true;
    if (k.passive && s.has(kSyn)) listeners_.try_emplace({e.host, s.src.port}, k.order);
  }
}

// The receiver's socket: what the peer has acknowledged of what it sent.
void CaptureSockets::arrived(const TraceEvent& e) {
  const Segment& s = e.seg;
  if (!s.has(kAck) || s.has(kRst)) return;
  const std::string back = reversed_pair(e.conn);
  auto h = host_of_local_.find(back);
  if (h == host_of_local_.end()) return;
  if (auto it = socks_.find({h->second, back}); it != socks_.end()) {
    Sock& k = it->second;
    if (!k.acked || seq_gt(s.ack, Seq32{k.snd_una})) k.snd_una = s.ack.raw();
    k.acked = true;
  }
}

std::string CaptureSockets::label(int host, ConnId row) const {
  for (const auto& [key, k] : socks_)
    if (key.first == host && k.order == row) return key.second;
  return "";
}

std::vector<SocketRow> CaptureSockets::rows(int host) const {
  std::vector<SocketRow> out;
  for (const auto& [key, order] : listeners_) {
    if (key.first != host || key.second == 0) continue;
    SocketRow r;
    r.host = host;
    r.conn = static_cast<ConnId>(order);
    r.listener = true;
    r.state = State::Listen;
    r.local = Endpoint{0, key.second};
    r.has_fd = true;
    out.push_back(r);
  }
  std::vector<const Sock*> conns;
  for (const auto& [key, k] : socks_)
    if (key.first == host) conns.push_back(&k);
  std::sort(conns.begin(), conns.end(), [](const Sock* a, const Sock* b) { return a->order < b->order; });
  for (const Sock* k : conns) {
    SocketRow r;
    r.host = host;
    r.conn = static_cast<ConnId>(k->order);
    r.state = k->state;
    r.local = k->local;
    r.remote = k->remote;
    // Linux prints write_seq - snd_una: the SYN and the FIN count one each (sim/views.cpp);
    // a listener's SYN_RECV child is a request sock with empty queues.
    const bool request_sock = k->passive && k->state == State::SynReceived;
    r.send_q = request_sock || !k->sent ? 0 : static_cast<std::uint32_t>(std::max(0, Seq32{k->snd_nxt} - Seq32{k->snd_una}));
    const bool closing = k->state == State::FinWait1 || k->state == State::FinWait2 || k->state == State::Closing ||
                         k->state == State::LastAck || k->state == State::TimeWait;
    r.orphan = closing && k->state != State::TimeWait;
    r.has_fd = !closing && !request_sock;
    out.push_back(r);
  }
  return out;
}

SockStats CaptureSockets::stats(int host) const {
  SockStats st;
  for (const SocketRow& r : rows(host)) {
    const bool request_sock = !r.listener && r.state == State::SynReceived && !r.has_fd;
    if (r.state == State::TimeWait) ++st.timewait;
    else if (!request_sock) ++st.tcp_inuse;
    if (r.state == State::Established || r.state == State::CloseWait) ++st.estab;
    if (r.orphan) ++st.orphaned;
  }
  st.tcp_alloc = st.tcp_inuse;
  return st;
}

std::vector<LsofRow> CaptureSockets::lsof(int host, const std::string& host_name, std::uint16_t port) const {
  std::vector<LsofRow> out;
  for (const SocketRow& s : rows(host)) {
    if (!s.has_fd) continue;
    if (port != 0 && s.local.port != port && s.remote.port != port) continue;
    out.push_back(lsof_row(host, host_name, s, "?", s.local.ip >= 0xf0000000U ? "IPv6" : "IPv4"));
  }
  return out;
}

std::vector<int> CaptureSockets::hosts() const {
  std::vector<int> out;
  for (const auto& [key, k] : socks_) out.push_back(key.first);
  for (const auto& [key, o] : listeners_)
    if (key.second != 0) out.push_back(key.first);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tcplab::capture
