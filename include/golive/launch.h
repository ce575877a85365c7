// The runbook's `launch:` section (launch readiness: what `golive audit` checks and `golive
// handover` documents) and the `access` check kind (the access-control matrix).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "golive/duration.h"

namespace golive {

// One named session of the access matrix: a login (form POST) or, without a url, a guest.
struct AccessSession {
  std::string name;
  std::string url;  // login form URL; empty: a guest (no cookies)
  std::string user;
  std::string password;
  std::string user_field = "username";
  std::string password_field = "password";
};

// A URL and the sessions allowed to read it; every other session must be refused.
struct AccessRule {
  std::string url;
  std::vector<std::string> allow;
};

// `access:` (gate check kind and `launch.access`): the access-control matrix.
struct AccessCheck {
  std::vector<AccessSession> sessions;
  std::vector<AccessRule> rules;
  std::string ca_file;
  bool from_launch = false;  // `access: launch`: the environment's launch.access matrix
};

struct LaunchRedirect {
  std::string from;
  std::string to;
  int status = 301;
};

struct LaunchMonitor {
  std::string name;
  std::string url;
  std::string owner;
};

// `launch.auth`: the login and password-reset endpoints judged by the auth basics.
struct LaunchAuth {
  std::string login_url;
  std::string reset_url;
  std::string email_field = "email";
  std::string known_email;  // an address with an account, to compare the reset answers
};

struct LaunchSpec {
  bool present = false;
  std::vector<std::string> keys_set;  // keys written (a per-environment section overrides these)
  std::string url;                    // canonical origin, https://host[:port]
  std::string domain;                 // mail domain
  std::vector<std::string> aliases;   // other origins that must redirect to url
  int http_port = 80;                 // where plain http is tried for url and aliases
  std::vector<LaunchRedirect> redirects;
  std::vector<std::string> private_urls;
  std::vector<std::string> static_urls;
  std::string health_url;
  std::vector<LaunchMonitor> monitoring;
  std::map<std::string, std::string> owners;  // dns, registrar, ssl, email_dns -> who
  std::vector<std::string> dkim_selectors;
  LaunchAuth auth;
  AccessCheck access;
  std::string ca_file;  // extra trust anchor (a private CA); empty: the system roots
  Millis latency_target = std::chrono::milliseconds(500);
  int secret_max_age_days = 180;  // secrets rotated longer ago are reported
};

}  // namespace golive
