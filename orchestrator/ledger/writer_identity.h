// Who is writing a release, and the rule that decides a `running` release's writer is dead.
#pragma once

#include <cstdint>
#include <string>

namespace golive {

struct WriterIdentity {
  std::int64_t pid = 0;
  std::string host;              // gethostname()
  std::string boot_id;           // /proc/sys/kernel/random/boot_id; empty when unavailable
  std::int64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat; 0 when unavailable
};

// This process.
WriterIdentity current_writer();

// The rule recover_interrupted applies. A writer is dead only when that is certain from here:
// it ran on this host (same hostname) and either the host has rebooted since (boot id differs),
// or kill(pid, 0) says no such process, or that pid is now a zombie, or it is now a different
// process (its start time differs: the pid was reused). A writer on another host, or with no
// recorded identity (imported releases), is never declared dead: we cannot see its processes.
bool writer_is_dead(const WriterIdentity& writer, const WriterIdentity& self);

}  // namespace golive
