// Collects the loader's errors: every one with a position and key path, capped so hostile input
// cannot produce an unbounded list.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "golive/runbook.h"
#include "golive/runbook_loader.h"

namespace golive {

class Diagnostics {
 public:
  // Errors past this many are counted, not kept.
  static constexpr std::size_t kMaxErrors = 200;

  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // Records an error at `pos` (line 0: the file as a whole) for key path `path` (may be empty).
  void error(SourcePos pos, std::string path, std::string message);
  bool empty() const { return errors_.empty() && dropped_ == 0; }
  std::size_t count() const { return errors_.size() + dropped_; }
  // The errors sorted by position (stable), plus a final note when some were dropped.
  std::vector<Diagnostic> take_sorted();

 private:
  std::string file_;
  std::vector<Diagnostic> errors_;
  std::size_t dropped_ = 0;
};

}  // namespace golive
