#include "core/stop_signal.hpp"

#include <csignal>

namespace auric {
namespace {
std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};
}  // namespace
}  // namespace auric

extern "C" void auric_on_stop_signal(int sig) {
  int none = 0;
  auric::g_stop_signal.compare_exchange_strong(none, sig);
  if (auric::g_stop_requested.exchange(true)) {
    std::signal(sig, SIG_DFL);  // a second signal stops at once
    std::raise(sig);
  }
}

namespace auric {

const std::atomic<bool>& install_stop_signal_handlers() {
  g_stop_requested = false;
  g_stop_signal = 0;
  std::signal(SIGINT, auric_on_stop_signal);
  std::signal(SIGTERM, auric_on_stop_signal);
  return g_stop_requested;
}

void restore_default_signal_handlers() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>& stop_signal_flag() {
  return g_stop_requested;
}

int last_stop_signal() {
  return g_stop_signal.load();
}

int stopped_exit_code() {
  const int sig = g_stop_signal.load();
  return 128 + (sig != 0 ? sig : SIGINT);
}

}  // namespace auric
