// The release layout on a host, read and changed only through RemoteHost:
//   <root>/releases/<id>/   one dir per release (+ .golive-release.json manifest)
//   <root>/current          symlink to releases/<id>, switched atomically (ln -s tmp + mv -T)
//   <root>/shared/          persists across releases (.env 0600, uploads, logs)
//   <root>/.golive/         releases.log (append-only), good, bad, lock/
#pragma once

#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/remote_host.h"

namespace golive {

// What a host says about its releases (the truth of what is deployed).
struct HostState {
  std::string current;                // release id `current` points at; empty when none
  std::vector<std::string> releases;  // present release ids, oldest first
  std::vector<std::string> good;      // ids that passed their gate, in order
  std::vector<std::string> bad;       // ids marked bad by a rollback
  bool is_bad(const std::string& id) const;
  bool has(const std::string& id) const;
};

// Reads the layout under `root` in one round trip; a missing root is an empty state.
Result<HostState> read_host_state(RemoteHost& host, const std::string& root);

// The release to restore when leaving `from`: the newest good release (else the newest older
// release) that is present and not bad. Empty when there is none.
std::string previous_good_release(const HostState& state, const std::string& from);

// Creates releases/<id>, shared/ and .golive/ under root.
Status prepare_release_dir(RemoteHost& host, const std::string& root, const std::string& id);

// Links shared paths into the release, writes its manifest (unless `manifest_json` is empty, as
// on rollback: the restored release keeps its own), and switches `current` atomically.
Status switch_current(RemoteHost& host, const std::string& root, const std::string& id,
                      const std::vector<std::string>& shared, const std::string& manifest_json);

// The manifest (.golive-release.json) the switch step wrote into releases/<id>; "" when the
// release has none (shipped before manifests, or a rollback record).
Result<std::string> read_release_manifest(RemoteHost& host, const std::string& root,
                                          const std::string& id);

// Appends one JSON line to .golive/releases.log.
Status append_release_log(RemoteHost& host, const std::string& root, const std::string& json_line);

// Records `id` in .golive/good or .golive/bad.
Status mark_release(RemoteHost& host, const std::string& root, const std::string& id, bool good);

// Removes the release dir of a release that never went live.
Status remove_release_dir(RemoteHost& host, const std::string& root, const std::string& id);

// Deletes all but the newest `keep` releases, never `current` nor the last good release.
Result<std::vector<std::string>> prune_releases(RemoteHost& host, const std::string& root,
                                                int keep);

// Runs a short housekeeping command; exit status != 0 is an error naming the host and `what`.
Status run_admin(RemoteHost& host, const std::string& command, const std::string& what);

}  // namespace golive
