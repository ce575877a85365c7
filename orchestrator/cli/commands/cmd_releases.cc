// `golive releases ENV`: what each host has, read from the hosts.
#include "orchestrator/adapters/json/json.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/target.h"
#include "steps/release_layout.h"

namespace golive {
int cmd_releases(AppContext& app, const std::string& environment) {
  auto t = load_target(app, environment);
  if (!t) return static_cast<int>(t.error().exit);
  auto fleet = connect_fleet(app, t->runbook, t->env());
  if (!fleet) return report_error(app, fleet.error());
  Json out = Json::array();
  for (std::size_t i = 0; i < t->env().hosts.size(); ++i) {
    const Host& h = t->env().hosts[i];
    auto root = host_root(t->runbook, t->env(), h);
    if (!root) return report_error(app, root.error());
    auto st = read_host_state(*fleet->hosts[i], *root);
    if (!st) return report_error(app, st.error());
    Json jh = {{"host", h.name},           {"root", *root},  {"current", st->current},
               {"releases", st->releases}, {"bad", st->bad}, {"good", st->good}};
    out.push_back(jh);
    if (app.options.json) continue;
    std::printf("%s (%s): current %s\n", h.name.c_str(), root->c_str(),
                st->current.empty() ? "(none)" : st->current.c_str());
    for (auto it = st->releases.rbegin(); it != st->releases.rend(); ++it) {
      std::string mark = *it == st->current ? "* " : "  ";
      std::string note = st->is_bad(*it) ? "  bad (rolled back)" : "";
      std::printf("  %s%s%s\n", mark.c_str(), it->c_str(), note.c_str());
    }
  }
  if (app.options.json) std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace golive
