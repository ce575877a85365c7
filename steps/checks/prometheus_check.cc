// `prometheus` check: one instant query against the Prometheus HTTP API (POST /api/v1/query)
// per attempt; every series returned must meet the bound. No answer from Prometheus is a
// transport error; an error from the query or a value out of bounds is a wrong answer; an empty
// result (no data yet, e.g. before the first scrape) or a bound not yet held for `for:` is
// pending: neither, so it never fails the gate early.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "orchestrator/adapters/http/curl_http.h"
#include "orchestrator/adapters/json/json.h"
#include "steps/checks/checks.h"

namespace golive {
namespace {

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Whether `v` meets the check's bound; `why` says which part failed.
bool within_bounds(const PrometheusCheck& spec, double v, std::string& why) {
  if (std::isnan(v)) {
    why = "NaN";
    return false;
  }
  if (spec.min && v < *spec.min) {
    why = "below min " + number_text(*spec.min);
    return false;
  }
  if (spec.max && v > *spec.max) {
    why = "above max " + number_text(*spec.max);
    return false;
  }
  if (spec.op.empty()) return true;
  const double t = spec.threshold;
  const bool ok = spec.op == "<"    ? v < t
                  : spec.op == "<=" ? v <= t
                  : spec.op == ">"  ? v > t
                  : spec.op == ">=" ? v >= t
                  : spec.op == "==" ? v == t
                                    : v != t;
  if (!ok) why = "expected " + spec.success;
  return ok;
}

// A sample is [time, "value"]; Prometheus sends the value as a string ("NaN", "+Inf" too).
std::optional<double> sample_value(const Json& sample) {
  if (!sample.is_array() || sample.size() != 2) return std::nullopt;
  const Json& v = sample.elements()[1];
  if (!v.is_string()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v.as_string().c_str(), &end);
  if (end == v.as_string().c_str()) return std::nullopt;
  return d;
}

// "{instance=\"127.0.0.11:8080\"}" for messages.
std::string series_name(const Json& series) {
  const Json* metric = series.find("metric");
  if (metric == nullptr || !metric->is_object() || metric->size() == 0) return "{}";
  std::string out = "{";
  for (const auto& [k, v] : metric->members()) {
    if (out.size() > 1) out += ",";
    out += k + "=\"" + (v.is_string() ? v.as_string() : v.dump()) + "\"";
  }
  return out + "}";
}

// The values of an instant query's result: (series, value) pairs; an error text when malformed.
Result<std::vector<std::pair<std::string, double>>> result_values(const Json& data) {
  const Json* type = data.find("resultType");
  const Json* result = data.find("result");
  if (type == nullptr || result == nullptr || !type->is_string()) return fail("no result");
  std::vector<std::pair<std::string, double>> out;
  if (type->as_string() == "scalar") {
    auto v = sample_value(*result);
    if (!v) return fail("unreadable scalar " + result->dump());
    out.emplace_back("scalar", *v);
    return out;
  }
  if (type->as_string() != "vector") {
    return fail("expected an instant vector or scalar, got a " + type->as_string());
  }
  for (const Json& series : result->elements()) {
    const Json* value = series.find("value");
    auto v = value != nullptr ? sample_value(*value) : std::nullopt;
    if (!v) return fail("unreadable sample " + series.dump());
    out.emplace_back(series_name(series), *v);
  }
  return out;
}

}  // namespace

CheckAttempt run_prometheus_check(const PrometheusCheck& spec, const CheckEnv& env) {
  using check_util::failed;
  const std::string what = "query '" + spec.query + "'";
  HttpRequest req;
  req.method = "POST";
  std::string base = spec.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.url = base + "/api/v1/query";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = form_encode({{"query", spec.query}});
  req.timeout = env.check.timeout;
  req.ca_file = spec.ca_file;
  auto response = http_fetch(req);
  if (!response) {
    return failed(what + ": Prometheus at " + display_url(spec.url) +
                      " did not answer: " + response.error().message,
                  true, env.check.timeout);
  }
  const Millis latency = response->latency;
  auto body = Json::parse(response->body);
  const Json* status = body ? body->find("status") : nullptr;
  if (!body || status == nullptr || !status->is_string()) {
    return failed(what + ": not a Prometheus API answer (HTTP " + std::to_string(response->status) +
                      ", " + check_util::snippet(response->body) + ")",
                  response->status >= 500, latency);
  }
  if (status->as_string() != "success") {
    const Json* error = body->find("error");
    return failed(what + ": Prometheus refused it: " +
                      (error != nullptr && error->is_string() ? error->as_string() : body->dump()),
                  false, latency);
  }
  const Json* data = body->find("data");
  auto values = data != nullptr ? result_values(*data) : fail("no data");
  if (!values) return failed(what + ": " + values.error().message, false, latency);
  if (values->empty()) {
    CheckAttempt a = failed(what + ": no data (empty result)", false, latency);
    a.pending = true;
    if (env.holds != nullptr) (void)env.holds->held(env.check.name, env.check.host, false);
    return a;
  }
  for (const auto& [series, v] : *values) {
    std::string why;
    if (!within_bounds(spec, v, why)) {
      if (env.holds != nullptr) (void)env.holds->held(env.check.name, env.check.host, false);
      return failed(what + ": " + series + " = " + number_text(v) + ", " + why, false, latency);
    }
  }
  const Millis held =
      env.holds != nullptr ? env.holds->held(env.check.name, env.check.host, true) : spec.hold;
  if (held < spec.hold) {
    CheckAttempt a = failed(what + ": within bounds for " + check_util::millis(held) + " of " +
                                check_util::millis(spec.hold) + " (for)",
                            false, latency);
    a.pending = true;
    return a;
  }
  CheckAttempt a;
  a.passed = true;
  a.latency = latency;
  a.detail = std::to_string(values->size()) + " series within bounds";
  return a;
}

}  // namespace golive
