#include "runbooks/diagnostics.h"

#include <algorithm>

namespace golive {

void Diagnostics::error(SourcePos pos, std::string path, std::string message) {
  if (errors_.size() >= kMaxErrors) {
    ++dropped_;
    return;
  }
  errors_.push_back(Diagnostic{file_, pos.line, pos.col, std::move(path), std::move(message)});
}

std::vector<Diagnostic> Diagnostics::take_sorted() {
  std::ranges::stable_sort(errors_, [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.col < b.col;
  });
  if (dropped_ > 0) {
    errors_.push_back(Diagnostic{file_, 0, 0, "",
                                 std::to_string(dropped_) +
                                     " more errors not shown (stopped after " +
                                     std::to_string(kMaxErrors) + ")"});
    dropped_ = 0;
  }
  return std::move(errors_);
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) out += ":" + std::to_string(d.line) + ":" + std::to_string(d.col);
  out += ": ";
  if (!d.path.empty()) out += d.path + ": ";
  out += d.message;
  return out;
}

}  // namespace golive
