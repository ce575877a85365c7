// The `launch:` section (top level and per environment) and the `access` check kind, read with
// file:line:col errors like the rest of the runbook (docs/launch-readiness.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "golive/launch.h"
#include "orchestrator/adapters/yaml/yaml_tree.h"
#include "runbooks/diagnostics.h"
#include "runbooks/runbook_schema.h"

namespace golive {

// Reads `node` (a mapping) into `out`; templates found go to `templates`, errors to `diags`.
void read_launch(const YamlNode& node, const std::string& path, LaunchSpec& out,
                 std::vector<TemplateSite>& templates, Diagnostics& diags);

// Reads an `access:` matrix (a mapping, or the word `launch` for launch.access).
AccessCheck read_access(const YamlNode& node, const std::string& path,
                        std::vector<TemplateSite>& templates, Diagnostics& diags);

// Calls `fn` on each string of `spec` that may hold `{{ ... }}` (URLs, credentials).
void for_each_launch_template(LaunchSpec& spec, const std::function<void(std::string&)>& fn);

}  // namespace golive
