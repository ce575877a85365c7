// The `environments.<name>.env_from:` list: where an environment's values come from besides its
// env_file (dotenv and age files, commands, secret-manager CLIs), read with file:line:col errors.
#pragma once

#include <string>

#include "golive/runbook.h"
#include "orchestrator/adapters/yaml/yaml_tree.h"
#include "runbooks/diagnostics.h"

namespace golive {

// Reads `node` (a list of sources) into `env.env_from`; every problem goes to `diags`.
void read_env_from(const YamlNode& node, const std::string& path, Environment& env,
                   Diagnostics& diags);

}  // namespace golive
