// `{{ name }}` templates: vars, env.NAME, host.*, release.*. Rendering into shell commands quotes
// every value by construction, and never puts an env value on a command line. `\{{` is a literal
// `{{` (for commands such as docker --format '{{.State}}').
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "golive/error.h"

namespace golive {

enum class Quoting {
  kNone,   // plain text (URLs for checks, webhook URLs): values inserted as they are
  kShell,  // POSIX sh: vars/host/release values single-quoted; env.NAME becomes "${NAME}", whose
           // value the remote wrapper loads from shared/.env, so secrets never reach a command line
};

struct TemplateContext {
  const std::map<std::string, std::string>* vars = nullptr;  // environment vars
  const std::map<std::string, std::string>* env = nullptr;   // env values (may hold secrets)
  std::map<std::string, std::string> host;                   // name, address, user
  std::map<std::string, std::string> release;                // id, dir, path, previous
};

// Renders a template; an unknown reference is an error naming it.
Result<std::string> render(std::string_view tmpl, const TemplateContext& ctx, Quoting quoting);

// The references a template makes, as written inside the braces ("base_url", "env.SMTP_URL").
std::vector<std::string> template_references(std::string_view tmpl);

// Like template_references, but an unterminated `{{` or a malformed reference is an error
// (the loader uses it to validate every template before anything runs).
Result<std::vector<std::string>> parse_template_references(std::string_view tmpl);

}  // namespace golive
