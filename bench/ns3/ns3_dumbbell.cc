// ns3_dumbbell: N bulk TCP flows through one shared drop-tail bottleneck, on ns-3 3.37
// (Debian's libns3-dev), the ns-3 half of bench/dumbbell_vs_ns3.sh. tcplab's half is
// `tcplab bench dumbbell bench/dumbbell/X.toml`; the script reads each lab file and passes the
// same numbers here. Prints one `RESULT k=v ...` line with the same keys.
//
// Topology (bench/README.md "Congestion control against ns-3 on a dumbbell"):
//
//   s_i --access (accessRate, delay a_i)--> L ==bottleneck (rate, delay, buffer)==> R --access (accessRate, delay b_i)--> r_i
//
// every link a point-to-point full-duplex link. The bottleneck's buffer is the device's own
// DropTailQueue with `buffer` packets waiting (the packet being serialized is not in it, as in
// tcplab), and the traffic-control layer's root queue disc is removed from every device, so
// that no pfifo_fast of 1000 packets sits in front of it and the device queue is the only
// buffer, one FIFO of exactly `buffer` packets as tcplab's drop-tail bottleneck. (The other
// way, a pfifo of `buffer` packets in front of a 1-packet device queue, holds one packet
// more.) Without a queue disc a packet that finds the device queue full (stopped) is dropped
// by the traffic-control layer (its TcDrop trace), which is where the drops are counted.
// Each flow i is a bulk sender on s_i (our own
// BulkSender: keeps the socket's send buffer full with MSS-sized writes from `start` to
// `stop`) and a PacketSink on r_i.
//
// Measured in the window [from, to]: the bytes each sink received (goodput), each flow's
// retransmitted data segments (a data segment whose sequence number is below the highest one
// sent before, seen by the socket's Tx trace), the bottleneck queue's drops, Jain's index.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

using namespace ns3;

namespace {

struct FlowSpec {
  std::string cc;  // newreno | cubic | bbr
  Time access;     // sender access link one-way delay
  Time start, stop;
  Time rcvAccess;  // receiver access link one-way delay
};

struct FlowStats {
  SequenceNumber32 highTx{0};
  bool sentData = false;
  uint64_t retxTotal = 0, retxAtFrom = 0, retxAtTo = 0;
  uint64_t rxAtFrom = 0, rxAtTo = 0;
  Ptr<PacketSink> sink;
};

std::vector<FlowStats> g_flows;
uint64_t g_drops = 0, g_dropsAtFrom = 0, g_dropsAtTo = 0;  // bottleneck, senders' direction
uint64_t g_dropsRev = 0;                                   // bottleneck, ACK direction
uint64_t g_otherDrops = 0;                                 // any access link queue

// A sender that keeps its socket's send buffer full, one MSS per write, from its start until
// its stop (then closes: what is buffered is still sent, like tcplab's `stop` + `close`).
class BulkSender : public Application {
 public:
  void Setup(Ptr<Socket> socket, Address peer, uint32_t writeSize) {
    m_socket = socket;
    m_peer = peer;
    m_write = writeSize;
  }

 private:
  void StartApplication() override {
    m_running = true;
    m_socket->Bind();
    m_socket->SetConnectCallback(MakeCallback(&BulkSender::Connected, this),
                                 MakeNullCallback<void, Ptr<Socket>>());
    m_socket->SetSendCallback(MakeCallback(&BulkSender::Space, this));
    m_socket->Connect(m_peer);
  }
  void StopApplication() override {
    m_running = false;
    if (m_socket) m_socket->Close();
  }
  void Connected(Ptr<Socket>) { Fill(); }
  void Space(Ptr<Socket>, uint32_t) { Fill(); }
  void Fill() {
    while (m_running && m_socket->GetTxAvailable() >= m_write) {
      if (m_socket->Send(Create<Packet>(m_write)) < 0) break;
    }
  }
  Ptr<Socket> m_socket;
  Address m_peer;
  uint32_t m_write = 1448;
  bool m_running = false;
};

// Retransmissions: a data segment that starts below the highest sequence number sent so far.
void OnTx(uint32_t i, Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase>) {
  if (p->GetSize() == 0) return;
  FlowStats& f = g_flows[i];
  const SequenceNumber32 end = h.GetSequenceNumber() + p->GetSize();
  if (f.sentData && h.GetSequenceNumber() < f.highTx) {
    ++f.retxTotal;
  }
  if (!f.sentData || end > f.highTx) f.highTx = end;
  f.sentData = true;
}

void OnDrop(uint64_t* counter, Ptr<const Packet>) { ++*counter; }

// --traceFlow=i: flow i's congestion state on stderr, one line per change (a diagnostic).
void TraceU32(std::string what, uint32_t, uint32_t v) {
  std::fprintf(stderr, "%.6f %s %u\n", Simulator::Now().GetSeconds(), what.c_str(), v);
}
void TraceRate(DataRate, DataRate v) {
  std::fprintf(stderr, "%.6f pacing_bps %llu\n", Simulator::Now().GetSeconds(),
               static_cast<unsigned long long>(v.GetBitRate()));
}
void TraceState(TcpSocketState::TcpCongState_t, TcpSocketState::TcpCongState_t v) {
  std::fprintf(stderr, "%.6f state %s\n", Simulator::Now().GetSeconds(), TcpSocketState::TcpCongStateName[v]);
}
void TraceRto(Time, Time v) { std::fprintf(stderr, "%.6f rto_ms %.1f\n", Simulator::Now().GetSeconds(), v.GetSeconds() * 1e3); }

void Snapshot(bool atFrom) {
  for (auto& f : g_flows) {
    (atFrom ? f.rxAtFrom : f.rxAtTo) = f.sink->GetTotalRx();
    (atFrom ? f.retxAtFrom : f.retxAtTo) = f.retxTotal;
  }
  (atFrom ? g_dropsAtFrom : g_dropsAtTo) = g_drops;
}

TypeId CcType(const std::string& cc) {
  if (cc == "newreno" || cc == "reno") return TcpNewReno::GetTypeId();
  if (cc == "cubic") return TcpCubic::GetTypeId();
  if (cc == "bbr") return TcpBbr::GetTypeId();
  // A diagnostic, not a tcplab name: ns-3's Reno with Linux's byte counting (cwnd grows by the
  // segments an ACK covers, not by one per ACK as TcpNewReno does).
  if (cc == "linuxreno") return TcpLinuxReno::GetTypeId();
  NS_FATAL_ERROR("unknown congestion control '" << cc << "' (newreno, cubic, bbr; linuxreno)");
}

// "cc:access:start:stop[:rcvAccess],..." e.g. "newreno:15ms:0.1s:60s,cubic:15ms:1s:60s".
std::vector<FlowSpec> ParseFlows(const std::string& text) {
  std::vector<FlowSpec> out;
  std::stringstream all(text);
  std::string one;
  while (std::getline(all, one, ',')) {
    std::vector<std::string> f;
    std::stringstream parts(one);
    std::string p;
    while (std::getline(parts, p, ':')) f.push_back(p);
    if (f.size() != 4 && f.size() != 5) NS_FATAL_ERROR("--flows: '" << one << "' is not cc:access:start:stop[:rcvAccess]");
    out.push_back({f[0], Time(f[1]), Time(f[2]), Time(f[3]), f.size() == 5 ? Time(f[4]) : Time(0)});
  }
  if (out.empty()) NS_FATAL_ERROR("--flows: no flow");
  return out;
}

void RemoveQdiscs(const NetDeviceContainer& d) {
  TrafficControlHelper tch;
  tch.Uninstall(d);
}

}  // namespace

int main(int argc, char* argv[]) {
  std::string flowsText = "newreno:15ms:0.1s:60s,newreno:15ms:1s:60s";
  std::string rate = "20Mbps", delay = "5ms", accessRate = "1Gbps";
  uint32_t buffer = 66, accessQueue = 1000;
  uint32_t mss = 1448, sndBuf = 4 << 20, rcvBuf = 8 << 20;
  uint32_t initialCwnd = 10, delAckCount = 2;
  // ns-3's own minimum RTO (1 s). Its RTO is max(SRTT + 4 RTTVAR, MinRto), Linux's SRTT +
  // max(4 RTTVAR, 200 ms): with MinRto = 200 ms a flow left with one segment in flight (after
  // an RTO) times out exactly when ns-3's 200 ms delayed ACK would have answered, again and
  // again (bench/README.md); 1 s avoids that, at the price of slower timeouts than Linux's.
  std::string delAckTimeout = "200ms", minRto = "1s";
  std::string from = "10s", to = "60s", until = "60s";
  uint32_t seed = 1, run = 1;
  int traceFlow = -1;

  CommandLine cmd(__FILE__);
  cmd.AddValue("flows", "flows: cc:access:start:stop[:rcvAccess],... (cc newreno|cubic|bbr, or linuxreno)", flowsText);
  cmd.AddValue("rate", "bottleneck rate", rate);
  cmd.AddValue("delay", "bottleneck one-way delay", delay);
  cmd.AddValue("buffer", "bottleneck drop-tail buffer, packets waiting", buffer);
  cmd.AddValue("accessRate", "rate of every access link", accessRate);
  cmd.AddValue("accessQueue", "drop-tail queue of every access link, packets", accessQueue);
  cmd.AddValue("mss", "TCP payload bytes per full segment (SegmentSize)", mss);
  cmd.AddValue("sndBuf", "send buffer bytes", sndBuf);
  cmd.AddValue("rcvBuf", "receive buffer bytes (the window offered)", rcvBuf);
  cmd.AddValue("initialCwnd", "initial window, segments", initialCwnd);
  cmd.AddValue("delAckCount", "ACK every n-th segment", delAckCount);
  cmd.AddValue("delAckTimeout", "delayed ACK timeout", delAckTimeout);
  cmd.AddValue("minRto", "minimum RTO (ns-3's default; Linux adds 200ms to SRTT instead)", minRto);
  cmd.AddValue("from", "measuring window start", from);
  cmd.AddValue("to", "measuring window end", to);
  cmd.AddValue("until", "simulation end", until);
  cmd.AddValue("seed", "RNG seed", seed);
  cmd.AddValue("run", "RNG run", run);
  cmd.AddValue("traceFlow", "diagnostic: print this flow's cwnd, ssthresh, state, pacing rate, RTO to stderr", traceFlow);
  cmd.Parse(argc, argv);
  RngSeedManager::SetSeed(seed);
  RngSeedManager::SetRun(run);
  const std::vector<FlowSpec> flows = ParseFlows(flowsText);
  const uint32_t n = flows.size();

  // TCP: ns-3 3.37's defaults except these (SACK, timestamps, window scaling, limited
  // transmit, PRR recovery, HyStart in TcpCubic are its defaults already).
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(mss));
  Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(initialCwnd));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(sndBuf));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(rcvBuf));
  Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(delAckCount));
  Config::SetDefault("ns3::TcpSocket::DelAckTimeout", TimeValue(Time(delAckTimeout)));
  Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(Time(minRto)));
  Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
  Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(true));

  NodeContainer left, right, routers;
  left.Create(n);
  right.Create(n);
  routers.Create(2);
  InternetStackHelper stack;
  stack.InstallAll();

  PointToPointHelper bn;
  bn.SetDeviceAttribute("DataRate", StringValue(rate));
  bn.SetChannelAttribute("Delay", StringValue(delay));
  bn.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, buffer)));
  NetDeviceContainer bnDev = bn.Install(routers.Get(0), routers.Get(1));

  Ipv4AddressHelper addr;
  addr.SetBase("10.9.0.0", "255.255.255.0");
  addr.Assign(bnDev);
  RemoveQdiscs(bnDev);

  std::vector<Ipv4Address> rcvAddr(n);
  NetDeviceContainer accessDevs;
  for (uint32_t i = 0; i < n; ++i) {
    PointToPointHelper acc;
    acc.SetDeviceAttribute("DataRate", StringValue(accessRate));
    acc.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                 QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, accessQueue)));
    acc.SetChannelAttribute("Delay", TimeValue(flows[i].access));
    NetDeviceContainer up = acc.Install(left.Get(i), routers.Get(0));
    acc.SetChannelAttribute("Delay", TimeValue(flows[i].rcvAccess));
    NetDeviceContainer down = acc.Install(routers.Get(1), right.Get(i));
    std::ostringstream a, b;
    a << "10.1." << i + 1 << ".0";
    b << "10.2." << i + 1 << ".0";
    addr.SetBase(a.str().c_str(), "255.255.255.0");
    addr.Assign(up);
    addr.SetBase(b.str().c_str(), "255.255.255.0");
    rcvAddr[i] = addr.Assign(down).GetAddress(1);
    RemoveQdiscs(up);
    RemoveQdiscs(down);
    accessDevs.Add(up);
    accessDevs.Add(down);
  }
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  DynamicCast<PointToPointNetDevice>(bnDev.Get(0))->GetQueue()->TraceConnectWithoutContext(
      "Drop", MakeBoundCallback(&OnDrop, &g_drops));
  DynamicCast<PointToPointNetDevice>(bnDev.Get(1))->GetQueue()->TraceConnectWithoutContext(
      "Drop", MakeBoundCallback(&OnDrop, &g_dropsRev));
  for (uint32_t d = 0; d < accessDevs.GetN(); ++d)
    DynamicCast<PointToPointNetDevice>(accessDevs.Get(d))->GetQueue()->TraceConnectWithoutContext(
        "Drop", MakeBoundCallback(&OnDrop, &g_otherDrops));
  // Without a queue disc, the traffic-control layer hands a packet to the device only while
  // the device's queue is not stopped (flow control: a full DropTailQueue stops it) and
  // drops it otherwise, so a full buffer's drops are counted here, on the node in front of
  // the queue: the left router's are the bottleneck's (its access devices only carry ACKs
  // back to the senders, at 1 Gbit/s), the right router's the ACK direction's.
  auto tcDrops = [](Ptr<Node> node, uint64_t* counter) {
    if (!node->GetObject<TrafficControlLayer>()->TraceConnectWithoutContext("TcDrop", MakeBoundCallback(&OnDrop, counter)))
      NS_FATAL_ERROR("no TcDrop trace on the traffic-control layer");
  };
  tcDrops(routers.Get(0), &g_drops);
  tcDrops(routers.Get(1), &g_dropsRev);
  for (uint32_t i = 0; i < n; ++i) {
    tcDrops(left.Get(i), &g_otherDrops);
    tcDrops(right.Get(i), &g_otherDrops);
  }

  g_flows.resize(n);
  const uint16_t port = 5001;
  const Time end(until);
  for (uint32_t i = 0; i < n; ++i) {
    PacketSinkHelper sinkHelper("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer s = sinkHelper.Install(right.Get(i));
    s.Start(Seconds(0));
    g_flows[i].sink = DynamicCast<PacketSink>(s.Get(0));

    // The socket is made now, with this flow's algorithm, before anything runs.
    Ptr<Socket> sock = Socket::CreateSocket(left.Get(i), TcpSocketFactory::GetTypeId());
    Ptr<TcpSocketBase> tcp = DynamicCast<TcpSocketBase>(sock);
    ObjectFactory cc;
    cc.SetTypeId(CcType(flows[i].cc));
    tcp->SetCongestionControlAlgorithm(cc.Create<TcpCongestionOps>());
    tcp->TraceConnectWithoutContext("Tx", MakeBoundCallback(&OnTx, i));
    if (static_cast<int>(i) == traceFlow) {
      tcp->TraceConnectWithoutContext("CongestionWindow", MakeBoundCallback(&TraceU32, std::string("cwnd")));
      tcp->TraceConnectWithoutContext("SlowStartThreshold", MakeBoundCallback(&TraceU32, std::string("ssthresh")));
      tcp->TraceConnectWithoutContext("BytesInFlight", MakeBoundCallback(&TraceU32, std::string("inflight")));
      tcp->TraceConnectWithoutContext("CongState", MakeCallback(&TraceState));
      tcp->TraceConnectWithoutContext("PacingRate", MakeCallback(&TraceRate));
      tcp->TraceConnectWithoutContext("RTO", MakeCallback(&TraceRto));
    }
    Ptr<BulkSender> app = CreateObject<BulkSender>();
    app->Setup(sock, InetSocketAddress(rcvAddr[i], port), mss);
    left.Get(i)->AddApplication(app);
    app->SetStartTime(flows[i].start);
    app->SetStopTime(flows[i].stop);
  }
  Simulator::Schedule(Time(from), &Snapshot, true);
  Simulator::Schedule(Time(to), &Snapshot, false);
  Simulator::Stop(end);
  Simulator::Run();

  const double window = (Time(to) - Time(from)).GetSeconds();
  std::vector<double> gp(n);
  double sum = 0, sumSq = 0;
  for (uint32_t i = 0; i < n; ++i) {
    gp[i] = static_cast<double>(g_flows[i].rxAtTo - g_flows[i].rxAtFrom) * 8 / window;
    sum += gp[i];
    sumSq += gp[i] * gp[i];
  }
  const double jain = sumSq > 0 ? sum * sum / (n * sumSq) : 0;
  std::printf("RESULT prog=ns3_dumbbell flows=%u from_s=%.3f to_s=%.3f rate_bps=%llu buffer=%u", n,
              Time(from).GetSeconds(), Time(to).GetSeconds(),
              static_cast<unsigned long long>(DataRate(rate).GetBitRate()), buffer);
  for (uint32_t i = 0; i < n; ++i) {
    const FlowStats& f = g_flows[i];
    const double rtt = 2 * (flows[i].access + Time(delay) + flows[i].rcvAccess).GetSeconds() * 1e3;
    std::printf(" cc_%u=%s rtt_ms_%u=%.1f rx_%u=%llu goodput_bps_%u=%.0f share_%u=%.2f retx_%u=%llu retx_total_%u=%llu", i,
                flows[i].cc.c_str(), i, rtt, i, static_cast<unsigned long long>(f.rxAtTo - f.rxAtFrom), i, gp[i], i,
                sum > 0 ? 100 * gp[i] / sum : 0, i, static_cast<unsigned long long>(f.retxAtTo - f.retxAtFrom), i,
                static_cast<unsigned long long>(f.retxTotal));
  }
  std::printf(" goodput_bps=%.0f jain=%.4f drops=%llu drops_total=%llu drops_rev_total=%llu other_drops=%llu\n", sum, jain,
              static_cast<unsigned long long>(g_dropsAtTo - g_dropsAtFrom), static_cast<unsigned long long>(g_drops),
              static_cast<unsigned long long>(g_dropsRev), static_cast<unsigned long long>(g_otherDrops));
  Simulator::Destroy();
  return 0;
}
