// The real Linux kernel as the system under test (issue 15): tun0 in a private network
// namespace, 192.168.0.1 on it and 192.0.2.0/24 routed through it, so whatever the kernel
// sends to the scripted peer comes out of the TUN device and what the peer sends goes in.
//
// Threads, because a namespace belongs to a thread, and the runner's own thread must stay
// where it is (the rest of tcplab keeps running there):
//   ns_     enters the namespace and stays in it; makes tun0, writes sysctls, and creates
//           the two threads below, which start inside the namespace with it;
//   calls_  carries out socket calls one at a time, so a blocking accept() or read()
//           blocks there and the runner carries on (start_call/poll_call);
//   reader_ reads tun0 and timestamps each packet as it comes out, so a segment's time
//           does not depend on when the runner gets around to asking;
//   states_ (with --kernel-states) polls the namespace's sockets' states.
#include <sys/eventfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "pkt/kernel_sockets.hpp"
#include "pkt/kernel_states.hpp"
#include "pkt/target.hpp"
#include "stack/wire/codec.hpp"
#include "stack/wire/tun.hpp"

namespace tcplab::pkt {

namespace {

using Clock = std::chrono::steady_clock;

// A thread that runs posted tasks in order. Threads inherit the network namespace of the
// thread that creates them: start() it from inside the namespace it should live in.
class TaskThread {
 public:
  TaskThread() = default;
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;
  ~TaskThread() { stop(); }

  void start() { th_ = std::thread([this] { loop(); }); }
  void post(std::function<void()> f) {
    {
      std::lock_guard lock(mu_);
      q_.push_back(std::move(f));
    }
    cv_.notify_all();
  }
  // Runs f there and waits for its result.
  template <class F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    post([&task] { task(); });
    return fut.get();
  }
  // Finishes the task under way (the caller makes sure it can), drops the rest, joins.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (th_.joinable()) th_.join();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !q_.empty(); });
        if (stopping_) return;
        f = std::move(q_.front());
        q_.pop_front();
      }
      f();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
  bool stopping_ = false;
  std::thread th_;
};

class KernelTarget final : public Target {
 public:
  KernelTarget() : t0_(Clock::now()) {}
  ~KernelTarget() override;
  std::string init(const std::string& states_path, Instant base);  // "" or why the kernel side could not be set up

  std::string describe() const override { return "Linux " + release_; }
  bool virtual_time() const override { return false; }
  Instant now() override { return since_start(Clock::now()); }
  std::string set_sysctl(const SysctlLine& s) override {
    return ns_.run([&] { return write_sysctl(s.name, s.value); });  // /proc/sys answers per namespace
  }
  std::optional<Sent> next_sent(Instant until) override;
  void inject(const Segment& seg) override;
  void start_call(const Call& c) override;
  std::optional<CallResult> poll_call() override;

 private:
  Instant since_start(Clock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0_).count();
  }
  std::string setup_in_namespace(const std::string& states_path, Instant base);
  void read_tun();

  const Clock::time_point t0_;
  std::string release_ = kernel_release();
  TaskThread ns_, calls_;
  std::thread reader_;
  Fd tun_, wake_;  // wake_: an eventfd that tells the reader to stop
  KernelSockets sockets_;
  KernelStatePoller states_;
  std::uint16_t ip_id_ = 0;

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::deque<Sent> sent_;
  std::uint64_t ignored_ = 0, malformed_ = 0;  // IPv6 chatter, non-TCP; undecodable
  bool pending_ = false, running_ = false;
  std::optional<CallResult> result_;
};

std::string KernelTarget::init(const std::string& states_path, Instant base) {
  ns_.start();
  return ns_.run([&] { return setup_in_namespace(states_path, base); });
}

// Runs on ns_: from here on that thread lives in the new namespace.
std::string KernelTarget::setup_in_namespace(const std::string& states_path, Instant base) {
  if (std::string e = enter_new_netns(); !e.empty()) return e;
  // Only the packetdrill addresses: the stack at 192.168.0.1, the peer's network behind tun0.
  if (std::string e = open_tun("tun0", kLocalIp, 0xffffff00, &tun_); !e.empty()) return e;
  if (std::string e = add_route(kRemoteIp, 0xffffff00, "tun0"); !e.empty()) return e;
  wake_ = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_.valid()) return sys_error("eventfd");
  calls_.start();
  reader_ = std::thread([this] { read_tun(); });
  if (!states_path.empty()) return states_.start(states_path, base, [this] { return now(); });
  return "";
}

void KernelTarget::read_tun() {
  std::vector<std::uint8_t> buf(1 << 16);
  for (;;) {
    pollfd fds[2] = {{tun_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    for (;;) {
      const long n = tun_read(tun_.get(), buf.data(), buf.size());
      if (n <= 0) break;
      const Instant at = now();
      // IPv6 (router solicitations and the like) and non-TCP IPv4 are not the stack's segments.
      const bool tcp4 = n >= 20 && (buf[0] >> 4) == 4 && buf[9] == 6;
      const DecodeResult d = tcp4 ? decode_ipv4(buf.data(), static_cast<std::size_t>(n)) : DecodeResult{};
      std::lock_guard lock(mu_);
      if (!tcp4) ++ignored_;
      else if (!d.seg) ++malformed_;
      else sent_.push_back(Sent{at, *d.seg});
      cv_.notify_all();
    }
  }
}

std::optional<Sent> KernelTarget::next_sent(Instant until) {
  // A far-off `until` (kNever) waits an hour at a time rather than overflowing the clock.
  const Instant cap = now() + sec(3600);
  const Clock::time_point deadline = t0_ + std::chrono::nanoseconds(std::min(until, cap));
  std::unique_lock lock(mu_);
  // A pending call that returned also ends the wait (with nothing sent): the runner must
  // see the call return when it does, not at the next segment.
  const auto ready = [&] { return !sent_.empty() || (pending_ && !running_); };
  if (!cv_.wait_until(lock, deadline, ready) || sent_.empty()) return std::nullopt;
  Sent s = std::move(sent_.front());
  sent_.pop_front();
  return s;
}

void KernelTarget::inject(const Segment& seg) {
  const std::vector<std::uint8_t> bytes = encode_ipv4(seg, ++ip_id_);
  if (bytes.empty() || !tun_write(tun_.get(), bytes.data(), bytes.size()))
    throw std::runtime_error(sys_error("writing a segment to tun0"));
}

void KernelTarget::start_call(const Call& c) {
  {
    std::lock_guard lock(mu_);
    if (pending_) throw std::logic_error("kernel target: a call started while another is pending");
    pending_ = running_ = true;
    result_.reset();
  }
  calls_.post([this, c] {
    CallResult r = sockets_.execute(c);
    r.returned_at = since_start(Clock::now());  // the runner may look later than this
    std::lock_guard lock(mu_);
    result_ = std::move(r);
    running_ = false;
    cv_.notify_all();
  });
  // Most calls return within microseconds: wait that long so they look immediate to the
  // runner. A call still running after 2 ms is blocked; the runner polls for it.
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(2), [&] { return result_.has_value(); });
}

std::optional<CallResult> KernelTarget::poll_call() {
  std::lock_guard lock(mu_);
  if (!result_) return std::nullopt;
  pending_ = false;
  return std::exchange(result_, std::nullopt);
}

KernelTarget::~KernelTarget() {
  // The script is over: what the clean-up below does to the sockets (shutdowns, closes) is not
  // part of it, and is in neither the pcap nor the states.
  states_.stop();
  // A call blocked on a socket returns once the socket is shut down; a poll() or a close()
  // with SO_LINGER returns by itself within its timeout.
  for (;;) {
    sockets_.wake_all();
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return !running_; })) break;
  }
  calls_.stop();
  if (wake_.valid()) {
    const std::uint64_t one = 1;
    if (write(wake_.get(), &one, sizeof one) < 0) { /* the reader also stops when tun0 closes */ }
  }
  if (reader_.joinable()) reader_.join();
  sockets_.close_all();
  ns_.stop();  // the namespace goes when its last thread, socket and tun0 are gone
}

}  // namespace

std::string kernel_target_unavailable() {
  if (std::string e = tun_unavailable(); !e.empty()) return e;
  // unshare in a thread of its own that then ends: the caller's namespace stays as it is.
  std::string e;
  std::thread([&e] {
    if (unshare(CLONE_NEWNET) != 0) e = sys_error("unshare(CLONE_NEWNET)");
  }).join();
  return e;
}

std::unique_ptr<Target> make_kernel_target(const std::string& states_path, Instant base) {
  auto t = std::make_unique<KernelTarget>();
  if (std::string e = t->init(states_path, base); !e.empty()) throw std::runtime_error("the kernel target cannot start: " + e);
  return t;
}

}  // namespace tcplab::pkt
