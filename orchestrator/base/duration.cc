#include "golive/duration.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace golive {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
  int rank;  // order units must appear in
};

// Longest suffix first so "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 4> kUnits{{
    {"ms", 1, 3},
    {"h", 3'600'000, 0},
    {"m", 60'000, 1},
    {"s", 1'000, 2},
}};

// Largest total accepted: about 292 years would fit in int64 ms, but nobody means that;
// a bound keeps arithmetic on durations (sums of budgets, deadlines) far from overflow.
constexpr std::int64_t kMaxMillis = std::int64_t{10} * 365 * 24 * 3'600'000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  int last_rank = -1;  // units must appear largest first, each at most once: "1h30m", not "30m1h"
  while (i < text.size()) {
    if (!is_digit(text[i])) return std::nullopt;
    std::int64_t value = 0;
    while (i < text.size() && is_digit(text[i])) {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxMillis) return std::nullopt;
      ++i;
    }
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (text.substr(i).starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->suffix.size();
    if (unit->rank <= last_rank) return std::nullopt;
    last_rank = unit->rank;
    if (value > (kMaxMillis - total) / unit->millis) return std::nullopt;
    total += value * unit->millis;
  }
  if (total <= 0) return std::nullopt;
  return Millis{total};
}

std::string format_duration(Millis d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    // Avoid negating the minimum value.
    ms = ms == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max()
                                                        : -ms;
  }
  const std::int64_t h = ms / 3'600'000;
  const std::int64_t m = ms / 60'000 % 60;
  const std::int64_t s = ms / 1'000 % 60;
  const std::int64_t rest = ms % 1'000;
  if (h != 0) out += std::to_string(h) + "h";
  if (m != 0) out += std::to_string(m) + "m";
  if (s != 0) out += std::to_string(s) + "s";
  if (rest != 0) out += std::to_string(rest) + "ms";
  return out;
}

std::string format_elapsed(Millis d) {
  if (d.count() < 0) return "-";
  const long long s = d.count() / 1000;
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

std::string format_seconds(Millis d, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace golive
