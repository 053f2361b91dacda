#pragma once
// Boxed<T>: an optional heap value that copies what it holds. Parts of a connection that only
// some states need (its body, the receive memory's segment queues) live behind one so that a
// connection without them pays a pointer; a world copy (seek, fork) copies its connections by
// value (DESIGN.md), so a boxed value is never shared between two worlds.
#include <memory>
#include <utility>

namespace tcplab {

template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  void emplace(T v) { p_ = std::make_unique<T>(std::move(v)); }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace tcplab
