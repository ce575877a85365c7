// `golive audit ENV [--json] [--markdown FILE]`: the ranked launch risks of a live environment
// (docs/launch-readiness.md); exit 0 when nothing critical or high is found, 3 otherwise.
#include <cstdio>
#include <fstream>

#include "golive/interpolate.h"
#include "golive/visible_text.h"
#include "orchestrator/audit/probe.h"
#include "orchestrator/cli/command_support.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/release/target.h"
#include "runbooks/launch_schema.h"

namespace golive {

void LaunchTarget::bind() {
  input.runbook = &target.runbook;
  input.env = env ? &*env : nullptr;
}

Result<LaunchTarget> load_launch_target(AppContext& app, const std::string& environment) {
  GOLIVE_TRY(t, load_target(app, environment));
  LaunchTarget out{std::move(*t), std::nullopt, {}};
  const Runbook& rb = out.target.runbook;
  const Environment& env = out.target.env();
  AuditInput& in = out.input;
  in.environment = environment;
  std::map<std::string, std::string> values;
  if (auto report = check_release_env(rb, environment, app.process_env, app.local.get())) {
    add_secrets(*report, app.redactor);
    for (const auto& p : report->problems) in.env_errors.push_back(format_env_problem(p));
    for (const auto& [k, v] : report->values) values[k] = v.value;
    out.env = std::move(*report);
  } else {
    in.env_errors.push_back(report.error().message);
  }
  in.launch = rb.launch_for(env);
  const TemplateContext ctx{&env.vars, &values, {}, {}};
  std::string error;
  for_each_launch_template(in.launch, [&](std::string& s) {
    if (!error.empty() || s.find("{{") == std::string::npos) return;
    auto r = render(s, ctx, Quoting::kNone);
    if (r) {
      s = *r;
    } else {
      error = r.error().message;
    }
  });
  if (!error.empty()) return fail("launch section of " + environment + ": " + error);
  if (!in.launch.ca_file.empty() && !in.launch.ca_file.starts_with('/')) {
    in.launch.ca_file = rb.dir + "/" + in.launch.ca_file;
  }
  in.launch.access.ca_file =
      in.launch.access.ca_file.empty() ? in.launch.ca_file : in.launch.access.ca_file;
  if (const auto it = app.process_env.find("GOLIVE_DNS_SERVER"); it != app.process_env.end()) {
    GOLIVE_RETURN_IF_ERROR(parse_dns_server(it->second));
    in.dns.server = it->second;
  }
  return out;
}

int cmd_audit(AppContext& app, const std::string& environment, const std::string& markdown) {
  auto lt = load_launch_target(app, environment);
  if (!lt) return report_error(app, lt.error());
  lt->bind();
  app.reporter->info("audit " + environment + ": checking " + lt->input.launch.url +
                     " from outside (bounded: at most " + std::to_string(kAuditMaxRequests) +
                     " requests, GET/HEAD except the login and reset checks)");
  const RiskList risks = run_audit(lt->input);
  const std::string title = "Launch risks: " + lt->target.runbook.app + " (" + environment + ")";
  if (!markdown.empty()) {
    std::ofstream f(markdown);
    f << app.redactor.redact(risk_markdown(risks, title));
    if (!f) {
      return report_error(app, Error{"cannot write " + markdown, ExitCode::kUsage});
    }
  }
  const std::string out =
      app.options.json ? risk_json(risks, environment) + "\n" : risk_text(risks, title);
  std::fputs(visible(app.redactor.redact(out), true).c_str(), stdout);
  app.reporter->summary("audit " + environment + ": " + std::to_string(risks.findings.size()) +
                        " finding(s); exit " + std::to_string(risks.exit_code()));
  return risks.exit_code();
}

}  // namespace golive
