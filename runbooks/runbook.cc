#include "golive/runbook.h"

namespace golive {

const Environment* Runbook::find_environment(const std::string& name) const {
  for (const auto& e : environments) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace golive
