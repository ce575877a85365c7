#include "orchestrator/context/live_view.h"

#include <algorithm>
#include <cstdio>

#include "golive/visible_text.h"

namespace golive {
namespace {

std::string seconds_text(std::chrono::steady_clock::duration d) {
  const double s = std::max(0.0, std::chrono::duration<double>(d).count());
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  }
  return buf;
}

// Cuts to `width` display columns (UTF-8 code points), never inside a sequence.
std::string fit(const std::string& s, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && points++ == width) {
      return s.substr(0, i);
    }
  }
  return s;
}

}  // namespace

void LiveView::step_started(const std::string& host, const std::string& step, TimePoint now) {
  auto [it, fresh] = hosts_.try_emplace(host);
  if (fresh) order_.push_back(host);
  Host& h = it->second;
  if (h.phase == HostPhase::kWaiting) h.started = now;
  if (h.phase != HostPhase::kFailed) h.phase = HostPhase::kRunning;
  h.step = step;
  h.note.clear();
}

void LiveView::step_note(const std::string& host, const std::string& note) {
  if (auto it = hosts_.find(host); it != hosts_.end()) it->second.note = note;
}

void LiveView::step_finished(const std::string& host, const std::string& step, bool ok,
                             TimePoint now) {
  auto [it, fresh] = hosts_.try_emplace(host);
  if (fresh) {
    order_.push_back(host);
    it->second.started = now;
  }
  Host& h = it->second;
  h.step = step;
  h.note.clear();
  h.finished = now;
  if (ok) {
    ++h.steps_done;
  } else {
    h.phase = HostPhase::kFailed;
  }
}

void LiveView::hosts_done(TimePoint now) {
  for (auto& [name, h] : hosts_) {
    if (h.phase == HostPhase::kRunning || h.phase == HostPhase::kWaiting) {
      h.phase = HostPhase::kDone;
      if (h.finished == TimePoint{}) h.finished = now;
    }
  }
}

void LiveView::status(const std::string& text, TimePoint deadline) {
  status_ = text;
  deadline_ = deadline;
}

void LiveView::clear() {
  order_.clear();
  hosts_.clear();
  status_.clear();
  deadline_ = {};
  checks_.clear();
}

std::vector<std::string> LiveView::render(TimePoint now, std::size_t width, bool color) const {
  std::vector<std::string> lines;
  std::size_t name_width = 4;
  for (const auto& n : order_) name_width = std::max(name_width, n.size());
  const char* green = color ? "\x1b[32m" : "";
  const char* red = color ? "\x1b[31m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  for (const auto& name : order_) {
    const Host& h = hosts_.at(name);
    std::string label = visible(name);
    label.resize(std::max(label.size(), name_width), ' ');
    std::string text, state;
    const char* paint = "";
    switch (h.phase) {
      case HostPhase::kWaiting:
        state = "waiting";
        break;
      case HostPhase::kRunning:
        state = "running";
        text = visible(h.step) + (h.note.empty() ? "" : "  " + visible(h.note)) + "  " +
               seconds_text(now - h.started);
        break;
      case HostPhase::kDone:
        state = "done";
        paint = green;
        text = std::to_string(h.steps_done) + " steps  " + seconds_text(h.finished - h.started);
        break;
      case HostPhase::kFailed:
        state = "FAILED";
        paint = red;
        text = "at " + visible(h.step) + "  " + seconds_text(h.finished - h.started);
        break;
    }
    state.resize(8, ' ');
    // Color codes are added after fitting so they never count towards the width or get cut.
    std::string plain = fit("  " + label + "  " + state + text, width);
    const std::size_t at = 4 + name_width;
    if (*paint != '\0' && plain.size() >= at + 8) {
      plain = plain.substr(0, at) + paint + plain.substr(at, 8) + reset + plain.substr(at + 8);
    }
    lines.push_back(plain);
  }
  for (const auto& c : checks_) lines.push_back(fit("  " + visible(c), width));
  if (!status_.empty()) {
    std::string s = visible(status_);
    if (deadline_ != TimePoint{}) s += ", " + seconds_text(deadline_ - now) + " left";
    lines.push_back(fit("  " + s, width));
  }
  return lines;
}

}  // namespace golive
