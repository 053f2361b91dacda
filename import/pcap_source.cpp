#include "import/pcap_source.hpp"

#include <pcap.h>
#include <tins/exceptions.h>
#include <tins/sniffer.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include <fmt/format.h>

namespace tcplab::capture {
namespace {

int note_index(std::uint8_t bit) { return __builtin_ctz(bit); }

// Every record of an open handle; the decoder is told the link type of each (pcapng files
// may change it per interface: libpcap reports it for the current one).
void pump(pcap_t* h, const FrameFn& fn, SourceReport& r) {
  r.link = pcap_datalink(h);
  DecodedFrame f;
  pcap_pkthdr* hdr = nullptr;
  const std::uint8_t* data = nullptr;
  for (;;) {
    const int rc = pcap_next_ex(h, &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) {
      r.stopped = pcap_geterr(h);
      break;
    }
    ++r.frames;
    const int link = pcap_datalink(h);
    const Skip s = link_type_supported(link) ? decode_frame(link, data, hdr->caplen, f) : Skip::Unsupported;
    if (s != Skip::None) {
      const auto i = static_cast<std::size_t>(s);
      if (r.skipped[i]++ == 0) r.skipped_first[i] = r.frames;
      continue;
    }
    if (hdr->caplen < hdr->len && !(f.notes & kNoteSnapCut)) f.notes |= kNoteSnapCut;
    for (std::uint8_t bits = f.notes; bits; bits &= static_cast<std::uint8_t>(bits - 1)) {
      const auto i = static_cast<std::size_t>(note_index(static_cast<std::uint8_t>(bits & -bits)));
      if (r.noted[i]++ == 0) r.noted_first[i] = r.frames;
    }
    ++r.tcp;
    // A damaged (or pcapng 64-bit) timestamp is kept in range: 0 .. year 2096, so the
    // inference's arithmetic on times cannot overflow.
    const Instant secs = std::clamp<Instant>(static_cast<Instant>(hdr->ts.tv_sec), 0, 4'000'000'000);
    const Instant usecs = std::clamp<Instant>(static_cast<Instant>(hdr->ts.tv_usec), 0, 999'999);
    const Instant t = secs * 1'000'000'000 + usecs * 1000;
    if (!fn(t, r.frames, f)) break;
  }
}

// libpcap's "unknown file format" says nothing of what the file is: say it in our words.
std::string open_error(const std::string& path, const std::string& pcap_message) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fmt::format("cannot open '{}': {}", path, std::strerror(errno));
  char head[4] = {};
  in.read(head, 4);
  if (in.gcount() < 4) return fmt::format("'{}' is not a capture: {} bytes, shorter than any pcap or pcapng header", path, in.gcount());
  return fmt::format("'{}' is not a pcap or pcapng capture libpcap can read ({})", path, pcap_message);
}

}  // namespace

std::vector<std::string> report_lines(const SourceReport& r) {
  std::vector<std::string> out;
  if (r.link >= 0 && !link_type_supported(r.link))
    out.push_back(fmt::format("note: link type {} is not one the importer reads (Ethernet, Linux cooked SLL/SLL2, raw IP, loopback)", r.link));
  for (int i = 1; i < kSkipKinds; ++i)
    if (r.skipped[i])
      out.push_back(fmt::format("note: {} frame{} skipped: {} (first: frame {})", r.skipped[i], r.skipped[i] == 1 ? "" : "s",
                                skip_text(static_cast<Skip>(i)), r.skipped_first[i]));
  for (int i = 0; i < kNoteKinds; ++i)
    if (r.noted[i])
      out.push_back(fmt::format("note: {} TCP segment{} with {} (first: frame {})", r.noted[i], r.noted[i] == 1 ? "" : "s",
                                note_text(static_cast<std::uint8_t>(1U << i)), r.noted_first[i]));
  if (!r.stopped.empty())
    out.push_back(fmt::format("note: reading stopped after frame {}: {} (the frames before it are used)", r.frames, r.stopped));
  return out;
}

bool read_capture_file(const std::string& path, const std::string& filter, const FrameFn& fn, SourceReport& r) {
  std::unique_ptr<Tins::FileSniffer> sniffer;
  try {
    sniffer = std::make_unique<Tins::FileSniffer>(path, filter);
  } catch (const Tins::invalid_pcap_filter& e) {
    r.error = fmt::format("--filter '{}' is not a filter libpcap understands ({})", filter, e.what());
    return false;
  } catch (const std::exception& e) {
    r.error = open_error(path, e.what());
    return false;
  }
  pump(sniffer->get_pcap_handle(), fn, r);
  if (r.frames == 0 && !r.stopped.empty()) {
    r.error = fmt::format("'{}': no frame could be read: {}", path, r.stopped);
    return false;
  }
  return true;
}

bool read_capture_bytes(const std::uint8_t* data, std::size_t size, const FrameFn& fn, SourceReport& r) {
  if (size == 0) {
    r.error = "empty input";
    return false;
  }
  FILE* f = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (!f) {
    r.error = "fmemopen failed";
    return false;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* h = pcap_fopen_offline(f, err);  // owns f from here on
  if (!h) {
    std::fclose(f);
    r.error = err;
    return false;
  }
  pump(h, fn, r);
  pcap_close(h);
  return r.frames > 0 || r.stopped.empty();
}

}  // namespace tcplab::capture
