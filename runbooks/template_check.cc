#include "runbooks/template_check.h"

#include <algorithm>
#include <array>

#include "golive/interpolate.h"
#include "runbooks/suggest.h"

namespace golive {
namespace {

constexpr std::array<std::string_view, 3> kHostFields{"name", "address", "user"};
constexpr std::array<std::string_view, 4> kReleaseFields{"id", "dir", "path", "previous"};
constexpr std::array<std::string_view, 3> kNamespaces{"env", "host", "release"};

void check_reference(const TemplateSite& site, const std::string& ref, const Runbook& rb,
                     const std::set<std::string>& declared_env, bool env_known,
                     Diagnostics& diags) {
  const std::string shown = "`{{ " + ref + " }}`";
  const auto dot = ref.find('.');
  if (dot == std::string::npos) {
    for (const auto& env : rb.environments) {
      if (!env.vars.contains(ref)) {
        diags.error(site.pos, site.path,
                    shown + ": variable `" + ref + "` is not defined in environment `" + env.name +
                        "` (add it to environments." + env.name + ".vars)");
      }
    }
    return;
  }
  const std::string ns = ref.substr(0, dot);
  const std::string key = ref.substr(dot + 1);
  if (ns == "env") {
    if ((site.scopes & kScopeEnv) == 0) {
      diags.error(site.pos, site.path,
                  shown +
                      ": env values are not available here (only in build, steps, rollback, "
                      "checks and notify)");
    } else if (env_known && !declared_env.contains(key)) {
      diags.error(
          site.pos, site.path,
          shown + ": `" + key + "` is not declared in env.required or the env.example file");
    }
  } else if (ns == "host") {
    if ((site.scopes & kScopeHost) == 0) {
      diags.error(site.pos, site.path,
                  shown + ": host.* is only allowed in steps, rollback, checks and release.path");
    } else if (std::ranges::find(kHostFields, std::string_view(key)) == kHostFields.end()) {
      diags.error(site.pos, site.path,
                  shown + ": unknown host field `" + key + "`" + did_you_mean(key, kHostFields) +
                      "; fields are name, address, user");
    }
  } else if (ns == "release") {
    if ((site.scopes & kScopeRelease) == 0) {
      diags.error(site.pos, site.path, shown + ": release.* is only allowed in steps and rollback");
    } else if (std::ranges::find(kReleaseFields, std::string_view(key)) == kReleaseFields.end()) {
      diags.error(site.pos, site.path,
                  shown + ": unknown release field `" + key + "`" +
                      did_you_mean(key, kReleaseFields) + "; fields are id, dir, path, previous");
    }
  } else {
    diags.error(site.pos, site.path,
                shown + ": unknown namespace `" + ns + "`" + did_you_mean(ns, kNamespaces) +
                    "; references are `name` (a var), env.NAME, host.*, release.*");
  }
}

}  // namespace

void check_templates(const ParsedRunbook& parsed, const std::set<std::string>& declared_env,
                     bool env_declarations_known, Diagnostics& diags) {
  for (const auto& site : parsed.templates) {
    const auto refs = parse_template_references(site.text);
    if (!refs) {
      diags.error(site.pos, site.path, refs.error().message);
      continue;
    }
    for (const auto& ref : *refs) {
      check_reference(site, ref, parsed.runbook, declared_env, env_declarations_known, diags);
    }
  }
}

}  // namespace golive
