// The one concurrency primitive: run fn(0..n-1) on a bounded number of threads. Every parallel
// loop in golive goes through it, and every worker cap is named here.
#pragma once

#include <cstddef>
#include <functional>

namespace golive {

// Worker caps, in one place.
namespace workers {
// Per-host round trips (connect, read state, switch, roll back): one thread per host, each
// owning its host's session; beyond this a fleet is served in waves.
inline constexpr std::size_t kHosts = 64;
// Check attempts at once within a gate round: a big fleet's checks should not open hundreds of
// sockets.
inline constexpr std::size_t kChecks = 16;
// CPU-bound work (the artifact secret scan): at most this many, and never more than the cores.
inline constexpr std::size_t kCpu = 8;
}  // namespace workers

// The number of cores, at most `cap` and at least 1: the worker count for CPU-bound loops.
std::size_t cpu_workers(std::size_t cap = workers::kCpu);

// Calls fn(i) exactly once for each i in [0, n), from min(n, max_workers) threads (at least one;
// the calling thread is one of them) taking indices in order; returns when all calls returned.
// fn must not throw. To stop early, fn checks a flag of its own and returns at once.
void parallel_for(std::size_t n, std::size_t max_workers,
                  const std::function<void(std::size_t)>& fn);

}  // namespace golive
