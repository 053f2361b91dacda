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

// Every record of an open handle; the decoder is told the link type of each (pcapng files
// may change it per interface: libpcap reports it for the current one).
void pump(pcap_t* h, const FrameFn& fn, SourceReport& r) {
  r.link = pcap_datalink(h);
  pcap_pkthdr* hdr = nullptr;
  const std::uint8_t* data = nullptr;
  for (;;) {
    const int rc = pcap_next_ex(h, &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) {
      r.stopped = pcap_geterr(h);
      break;
    }
    const auto usec = static_cast<std::uint32_t>(std::clamp<long>(hdr->ts.tv_usec, 0, 999'999));
    if (!deliver_frame(pcap_datalink(h), hdr->ts.tv_sec, usec * 1000, data, hdr->caplen, hdr->len, fn, r)) break;
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
