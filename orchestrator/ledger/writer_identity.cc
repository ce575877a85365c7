#include "orchestrator/ledger/writer_identity.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

namespace golive {
namespace {

struct ProcStat {
  bool found = false;
  char state = '?';
  std::int64_t start_ticks = 0;
};

ProcStat read_proc_stat(std::int64_t pid) {
  ProcStat out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return out;
  // The command name may hold spaces and parentheses: fields resume after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(line.substr(close + 1));
  std::vector<std::string> rest;
  for (std::string field; fields >> field;) rest.push_back(field);
  if (rest.size() < 20) return out;
  out.found = true;
  out.state = rest[0].empty() ? '?' : rest[0][0];  // field 3
  try {
    out.start_ticks = std::stoll(rest[19]);  // field 22
  } catch (const std::exception&) {
    out.start_ticks = 0;
  }
  return out;
}

std::string read_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (in) std::getline(in, id);
  return id;
}

}  // namespace

WriterIdentity current_writer() {
  WriterIdentity self;
  self.pid = getpid();
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) == 0) self.host = name.data();
  self.boot_id = read_boot_id();
  self.start_ticks = read_proc_stat(self.pid).start_ticks;
  return self;
}

bool writer_is_dead(const WriterIdentity& writer, const WriterIdentity& self) {
  if (writer.pid <= 0 || writer.host.empty() || writer.host != self.host) return false;
  if (!writer.boot_id.empty() && !self.boot_id.empty() && writer.boot_id != self.boot_id) {
    return true;
  }
  if (kill(static_cast<pid_t>(writer.pid), 0) == -1 && errno == ESRCH) return true;
  ProcStat stat = read_proc_stat(writer.pid);
  if (!stat.found) return false;  // alive but unreadable (e.g. hidepid): assume alive
  if (stat.state == 'Z' || stat.state == 'X') return true;
  return writer.start_ticks > 0 && stat.start_ticks > 0 && stat.start_ticks != writer.start_ticks;
}

}  // namespace golive
