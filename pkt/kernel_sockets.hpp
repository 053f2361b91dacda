#pragma once
// The kernel target's socket calls (issue 15): a script's fd numbers mapped to real kernel
// sockets, and one Call carried out with the real syscall, blocking exactly as it would in
// packetdrill. Linux only (left out of the WebAssembly build with pkt/kernel_target.cpp).
#include <map>
#include <mutex>
#include <string>

#include "pkt/target.hpp"

namespace tcplab::pkt {

class KernelSockets {
 public:
  KernelSockets() = default;
  KernelSockets(const KernelSockets&) = delete;
  KernelSockets& operator=(const KernelSockets&) = delete;
  ~KernelSockets() { close_all(); }

  // Runs the call, blocking while the syscall blocks. Call it from a thread inside the
  // target's network namespace: socket() creates the socket in the caller's namespace.
  CallResult execute(const Call& c);
  // shutdown(SHUT_RDWR) on every socket, so that a call blocked on one of them returns.
  void wake_all();
  void close_all();

 private:
  CallResult call(const Call& c, int real);
  CallResult set_opt(const Call& c, int real);
  CallResult get_opt(const Call& c, int real);
  // The lowest script fd >= 3 not in use, now mapped to `real` (what a fresh process's
  // socket() or accept() would return, as packetdrill scripts expect).
  int adopt(int real);

  std::mutex mu_;          // the table: execute runs on the call thread, wake_all elsewhere
  std::map<int, int> fds_;  // script fd -> real fd
};

}  // namespace tcplab::pkt
