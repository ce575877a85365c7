// libFuzzer target: `{{ }}` templates rendered for checks (plain) and for shell commands, and the
// reference parser the loader validates with.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "golive/interpolate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view tmpl(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, std::string> vars{{"base_url", "https://x.test"},
                                                       {"q", "it's $(rm -rf /)"}};
  static const std::map<std::string, std::string> env{{"SECRET", "s3cr3t-value"}};
  golive::TemplateContext ctx;
  ctx.vars = &vars;
  ctx.env = &env;
  ctx.host = {{"name", "web1"}, {"address", "127.0.0.1"}, {"user", "deploy"}};
  ctx.release = {{"id", "20260101-000000-abc"}, {"dir", "/srv/app/releases/x"}};
  auto plain = golive::render(tmpl, ctx, golive::Quoting::kNone);
  auto shell = golive::render(tmpl, ctx, golive::Quoting::kShell);
  // A secret never reaches a shell command line: env.NAME renders as "${NAME}".
  if (shell && shell->find("s3cr3t-value") != std::string::npos &&
      tmpl.find("s3cr3t-value") == std::string_view::npos) {
    __builtin_trap();
  }
  static_cast<void>(plain);
  static_cast<void>(golive::template_references(tmpl));
  static_cast<void>(golive::parse_template_references(tmpl));
  return 0;
}
