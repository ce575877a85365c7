#include "orchestrator/release/plan.h"

#include <algorithm>
#include <sstream>

#include "golive/interpolate.h"
#include "orchestrator/adapters/json/json.h"
#include "steps/checks/check_templates.h"

namespace golive {
namespace {

const char* kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::kRun:
      return "run";
    case StepKind::kUpload:
      return "upload";
    case StepKind::kSwitch:
      return "switch";
    case StepKind::kLocal:
      return "local";
  }
  return "?";
}

bool uses_host(const std::string& tmpl) {
  for (const auto& ref : template_references(tmpl)) {
    if (ref.rfind("host.", 0) == 0) return true;
  }
  return false;
}

Result<PlannedStep> plan_step(const Step& step, const TemplateContext& ctx) {
  PlannedStep out;
  out.name = step.name;
  out.kind = step.kind;
  out.once = step.once;
  out.timeout = step.timeout;
  // Local commands run on the operator's machine, where env values must also stay off the
  // command line: they are passed in the child's environment, so shell quoting applies too.
  if (step.kind == StepKind::kRun || step.kind == StepKind::kLocal) {
    auto cmd = render(step.command, ctx, Quoting::kShell);
    if (!cmd) return fail("step '" + step.name + "': " + cmd.error().message);
    out.command = *cmd;
  } else {
    out.command = step.command;
  }
  if (!step.undo.empty()) {
    auto undo = render(step.undo, ctx, Quoting::kShell);
    if (!undo) return fail("step '" + step.name + "' undo: " + undo.error().message);
    out.undo = *undo;
  }
  return out;
}

Result<RenderedCheck> render_check(const Check& check, const TemplateContext& ctx,
                                   const std::string& host_name) {
  RenderedCheck out{check.name, host_name, check.spec};
  std::string error;
  for_each_check_template(out.spec, [&](std::string& s, Quoting q) {
    if (!error.empty() || s.empty()) return;
    auto r = render(s, ctx, q);
    if (!r) {
      error = r.error().message;
      return;
    }
    s = *r;
  });
  if (!error.empty()) return fail("check '" + check.name + "': " + error);
  return out;
}

bool check_uses_host(const Check& check) {
  bool per_host = false;
  CheckSpec copy = check.spec;
  for_each_check_template(copy, [&](std::string& s, Quoting) { per_host |= uses_host(s); });
  return per_host;
}

}  // namespace

namespace {

// A count, or a share of `of` rounded up; at least 1 and at most `of`.
std::size_t count_or_share(int count, int percent, std::size_t of) {
  std::size_t n = count > 0 ? static_cast<std::size_t>(count)
                            : (of * static_cast<std::size_t>(percent) + 99) / 100;
  return std::clamp<std::size_t>(n, 1, std::max<std::size_t>(of, 1));
}

}  // namespace

bool has_canary(const Strategy& s) {
  return s.canary > 0 || s.canary_percent > 0;
}

std::vector<std::vector<std::size_t>> make_batches(std::size_t host_count, const Strategy& s) {
  // Batch sizes are shares of the whole fleet, canary or not: "25%" means a quarter of it.
  const std::size_t size = count_or_share(s.batch_size, s.batch_percent, host_count);
  std::vector<std::vector<std::size_t>> batches;
  std::size_t first = 0;
  if (has_canary(s) && host_count > 0) {
    first = count_or_share(s.canary, s.canary_percent, host_count);
    batches.emplace_back();
    for (std::size_t i = 0; i < first; ++i) batches.back().push_back(i);
  }
  for (std::size_t i = first; i < host_count; ++i) {
    if ((i - first) % size == 0) batches.emplace_back();
    batches.back().push_back(i);
  }
  return batches;
}

bool is_canary_batch(const Plan& plan, std::size_t batch) {
  return batch == 0 && has_canary(plan.strategy);
}

std::vector<RenderedCheck> checks_for_batch(const Plan& plan, std::size_t batch) {
  std::vector<RenderedCheck> out;
  for (const auto& c : plan.checks) {
    bool in_batch = c.host.empty();
    for (std::size_t idx : plan.batches[batch]) in_batch |= plan.hosts[idx].host.name == c.host;
    if (in_batch) out.push_back(c);
  }
  return out;
}

Millis gate_window_for_batch(const Plan& plan, std::size_t batch) {
  return is_canary_batch(plan, batch) && plan.strategy.canary_window ? *plan.strategy.canary_window
                                                                     : plan.gate.window;
}

std::string batch_label(const Plan& plan, std::size_t batch) {
  std::string label = "batch " + std::to_string(batch + 1) + "/" +
                      std::to_string(plan.batches.size()) +
                      (is_canary_batch(plan, batch) ? " (canary)" : "") + ":";
  for (std::size_t idx : plan.batches[batch]) label += " " + plan.hosts[idx].host.name;
  return label;
}

Result<Plan> make_plan(const Runbook& runbook, const std::string& env_name,
                       const std::string& release_id,
                       const std::map<std::string, std::string>& env_values) {
  const Environment* env = runbook.find_environment(env_name);
  if (!env) return fail("no environment '" + env_name + "' in " + runbook.file);

  Plan plan;
  plan.app = runbook.app;
  plan.environment = env_name;
  plan.release_id = release_id;
  plan.strategy = env->strategy;
  plan.shared = runbook.release.shared;
  plan.keep = runbook.release.keep;
  plan.batches = make_batches(env->hosts.size(), env->strategy);
  plan.gate = runbook.gate;

  TemplateContext base;
  base.vars = &env->vars;
  base.env = &env_values;
  base.release = {{"id", release_id}};

  for (const auto& step : runbook.build) {
    GOLIVE_TRY(planned, plan_step(step, base));
    plan.build.push_back(*planned);
  }

  for (const auto& host : env->hosts) {
    TemplateContext ctx = base;
    ctx.host = {{"name", host.name}, {"address", host.address}, {"user", host.user}};
    HostPlan hp;
    hp.host = host;
    auto root = render(runbook.release.path, ctx, Quoting::kNone);
    if (!root) return fail("release.path: " + root.error().message);
    hp.root = *root;
    hp.release_dir = hp.root + "/releases/" + release_id;
    ctx.release["path"] = hp.root;
    ctx.release["dir"] = hp.release_dir;
    for (const auto& step : runbook.steps) {
      GOLIVE_TRY(planned, plan_step(step, ctx));
      hp.steps.push_back(*planned);
    }
    for (const auto& step : runbook.rollback) {
      GOLIVE_TRY(planned, plan_step(step, ctx));
      hp.rollback.push_back(*planned);
    }
    plan.hosts.push_back(std::move(hp));
  }

  for (const auto& check : runbook.checks) {
    if (!check_uses_host(check)) {
      GOLIVE_TRY(rc, render_check(check, base, ""));
      plan.checks.push_back(*rc);
      continue;
    }
    for (const auto& host : env->hosts) {
      TemplateContext ctx = base;
      ctx.host = {{"name", host.name}, {"address", host.address}, {"user", host.user}};
      GOLIVE_TRY(rc, render_check(check, ctx, host.name));
      plan.checks.push_back(*rc);
    }
  }
  return plan;
}

namespace {

// One stage of the rollout as `golive plan` shows it: its hosts and the gate that ends it.
std::string stage_line(const Plan& plan, std::size_t b) {
  std::string line = batch_label(plan, b);
  if (plan.checks.empty()) return line;
  if (!gates_each_batch(plan) && b + 1 < plan.batches.size()) return line + "  (no gate: next)";
  return line + "  -> gate " + std::to_string(checks_for_batch(plan, b).size()) +
         " check run(s), window " + format_duration(gate_window_for_batch(plan, b)) +
         (plan.gate.fail_after > 0
              ? ", fail after " + std::to_string(plan.gate.fail_after) + " wrong answers"
              : "") +
         (b + 1 < plan.batches.size() ? ", must pass before batch " + std::to_string(b + 2) : "");
}

}  // namespace

bool gates_each_batch(const Plan& plan) {
  return plan.strategy.gate_each_batch || has_canary(plan.strategy);
}

std::string plan_text(const Plan& plan, const Redactor& redactor) {
  std::ostringstream out;
  out << "plan: " << plan.app << " -> " << plan.environment << " (release " << plan.release_id
      << ", " << plan.hosts.size() << " hosts in " << plan.batches.size() << " batch"
      << (plan.batches.size() == 1 ? "" : "es") << ", parallel " << plan.strategy.parallel
      << ", max_fail " << plan.strategy.max_fail << ")\n";
  if (!plan.build.empty()) {
    out << "\nbuild (local, in a clean export of the commit):\n";
    for (const auto& s : plan.build) out << "  " << s.name << ": " << s.command << "\n";
  }
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    out << "\n" << stage_line(plan, b) << "\n";
    for (std::size_t idx : plan.batches[b]) {
      const HostPlan& hp = plan.hosts[idx];
      out << "  " << hp.host.name << " (" << (hp.host.user.empty() ? "" : hp.host.user + "@")
          << hp.host.address
          << (hp.host.jump.empty() || hp.host.jump == "none" ? "" : " via " + hp.host.jump)
          << ") into " << hp.release_dir << "\n";
      for (const auto& s : hp.steps) {
        if (s.once && idx != 0) {
          out << "    - " << s.name << ": skipped (once: runs on " << plan.hosts[0].host.name
              << ")\n";
          continue;
        }
        out << "    - " << s.name << " [" << kind_name(s.kind) << ", timeout "
            << format_duration(s.timeout) << "]";
        if (s.kind == StepKind::kSwitch) {
          out << ": current -> releases/" << plan.release_id;
        } else if (s.kind == StepKind::kUpload) {
          out << ": artifact -> " << hp.release_dir;
        } else {
          out << ": " << s.command;
        }
        if (!s.undo.empty()) out << "  (undo: " << s.undo << ")";
        out << "\n";
      }
    }
  }
  if (!plan.checks.empty()) {
    out << "\ngate: " << plan.checks.size() << " check run(s) after the switch"
        << (gates_each_batch(plan) ? ", each batch's hosts after that batch" : "") << "\n";
    for (const auto& c : plan.checks) {
      out << "  - " << c.name << (c.host.empty() ? "" : " @" + c.host) << "\n";
    }
  }
  return redactor.redact(out.str());
}

std::string plan_json(const Plan& plan, const Redactor& redactor) {
  using json = Json;
  json j;
  j["app"] = plan.app;
  j["environment"] = plan.environment;
  j["release_id"] = plan.release_id;
  j["strategy"] = {{"parallel", plan.strategy.parallel},
                   {"max_fail", plan.strategy.max_fail},
                   {"canary", has_canary(plan.strategy)},
                   {"gate_each_batch", gates_each_batch(plan)}};
  j["build"] = json::array();
  for (const auto& s : plan.build) j["build"].push_back({{"name", s.name}, {"command", s.command}});
  j["batches"] = json::array();
  j["stages"] = json::array();
  for (const auto& batch : plan.batches) {
    json jb = json::array();
    for (std::size_t idx : batch) {
      const HostPlan& hp = plan.hosts[idx];
      json jh = {{"host", hp.host.name}, {"address", hp.host.address},    {"user", hp.host.user},
                 {"jump", hp.host.jump}, {"release_dir", hp.release_dir}, {"steps", json::array()}};
      for (const auto& s : hp.steps) {
        json js = {{"name", s.name},
                   {"kind", kind_name(s.kind)},
                   {"timeout_ms", s.timeout.count()},
                   {"skipped", s.once && idx != 0}};
        if (s.kind == StepKind::kRun || s.kind == StepKind::kLocal) js["command"] = s.command;
        if (!s.undo.empty()) js["undo"] = s.undo;
        jh["steps"].push_back(js);
      }
      jb.push_back(jh);
    }
    j["batches"].push_back(jb);
  }
  for (std::size_t b = 0; b < plan.batches.size(); ++b) {
    const bool gated = gates_each_batch(plan) || b + 1 == plan.batches.size();
    j["stages"].push_back({{"batch", static_cast<int>(b + 1)},
                           {"canary", is_canary_batch(plan, b)},
                           {"hosts", static_cast<int>(plan.batches[b].size())},
                           {"gated", gated},
                           {"gate_window_ms", gate_window_for_batch(plan, b).count()}});
  }
  j["checks"] = json::array();
  for (const auto& c : plan.checks) j["checks"].push_back({{"name", c.name}, {"host", c.host}});
  return redactor.redact(j.dump(2));
}

}  // namespace golive
