// The runbook schema v1: turns the YAML tree into a typed Runbook, reporting every schema and
// semantic error it can see without reading other files.
#pragma once

#include <string>
#include <vector>

#include "golive/runbook.h"
#include "runbooks/diagnostics.h"
#include "orchestrator/adapters/yaml/yaml_tree.h"

namespace golive {

// What a template may reference besides vars (vars are allowed everywhere templates are).
enum TemplateScope : unsigned {
  kScopeEnv = 1u << 0,      // {{ env.NAME }}
  kScopeHost = 1u << 1,     // {{ host.name|address|user }}
  kScopeRelease = 1u << 2,  // {{ release.id|dir|path|previous }}
};

// A string that is a template, where it was written and what it may reference.
struct TemplateSite {
  std::string text;
  SourcePos pos;
  std::string path;
  unsigned scopes = 0;
};

struct ParsedRunbook {
  Runbook runbook;
  std::vector<TemplateSite> templates;
  SourcePos env_example_pos;  // where env.example was written (for a missing file)
  bool fatal = false;         // nothing more is worth checking (empty, newer schema, not a mapping)
};

// Reads `root` into a runbook; errors go to `diags`.
ParsedRunbook read_runbook_schema(const YamlNode& root, Diagnostics& diags);

}  // namespace golive
