// `command` check: a command on a host (or locally) must exit as expected and print what it should.

#include "orchestrator/adapters/regex/regex.h"
#include "steps/checks/checks.h"

namespace golive {

CheckAttempt run_command_check(const CommandCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string where = spec.local ? std::string("local") : env.check.host;
  const std::string what =
      "command on " + (where.empty() ? std::string("?") : where) + " '" + spec.run + "'";

  Result<ExecResult> result;
  if (spec.local) {
    LocalRequest req;
    req.command = spec.run;
    req.timeout = env.check.timeout;
    result = env.local.run(req);
  } else {
    if (env.check.host.empty()) {
      return failed(what + ": a remote command check needs a host (or local: true)");
    }
    auto it = env.hosts.find(env.check.host);
    if (it == env.hosts.end() || it->second == nullptr) {
      return failed(what + ": no connection to host " + env.check.host, true);
    }
    ExecRequest req;
    req.command = spec.run;
    req.timeout = env.check.timeout;
    result = it->second->exec(req);
  }
  if (!result) return failed(what + ": " + result.error().message, true, env.check.timeout);
  const ExecResult& r = *result;
  if (r.timed_out) {
    return failed(what + ": timed out after " + check_util::millis(env.check.timeout), true,
                  r.duration);
  }
  if (r.exit_status != spec.exit) {
    return failed(what + ": expected exit " + std::to_string(spec.exit) + ", got " +
                      std::to_string(r.exit_status) + ", output " + check_util::snippet(r.output),
                  false, r.duration);
  }
  if (!spec.output_regex.empty()) {
    auto re = Regex::compile(spec.output_regex);
    if (!re) {
      return failed(
          what + ": output_regex: invalid regex /" + spec.output_regex + "/: " + re.error().message,
          false, r.duration);
    }
    if (!re->partial_match(r.output)) {
      return failed(what + ": expected output to match /" + spec.output_regex + "/, got " +
                        check_util::snippet(r.output),
                    false, r.duration);
    }
  }
  CheckAttempt a;
  a.passed = true;
  a.latency = r.duration;
  return a;
}

}  // namespace golive
