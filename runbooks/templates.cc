#include "runbooks/templates.h"

namespace golive {
namespace {

constexpr std::string_view kWebRunbook =
    R"(# golive runbook, schema v1. Reference: docs/runbook-format.md
# `golive validate` checks this file; `golive plan staging` shows what would run where.
version: 1
app: my-app
budget: { rollback: 10m, deploy: 30m }   # an automatic rollback slower than 10m is an incident

environments:
  staging:
    hosts:
      - { name: web1, address: staging.example.com, user: deploy }
    env_file: .env.staging
    vars: { base_url: "https://staging.example.com" }
  production:
    hosts:
      - { name: web1, address: 10.0.1.11, user: deploy }
      - { name: web2, address: 10.0.1.12, user: deploy }
    env_file: .env.production
    strategy: { parallel: 10, batch: "50%", max_fail: 0 }   # half the fleet at a time
    vars: { base_url: "https://www.example.com" }

env:
  example: .env.example                  # every key listed there is required
  required:
    - { name: DATABASE_URL, pattern: "^postgres://", secret: true }
    - { name: SECRET_KEY, secret: true, min_length: 32, distinct_from: staging }
    - { name: SMOKE_USER }
    - { name: SMOKE_PASSWORD, secret: true }

release:
  path: /srv/my-app
  keep: 5
  shared: [ .env, storage/ ]             # linked from <path>/shared into every release

build:
  - local: make build                    # runs in a clean export of the commit
artifact: dist/

steps:
  - { name: upload, upload: artifact }
  - { name: migrate, run: "./bin/migrate up", once: true, undo: "./bin/migrate down" }
  - { name: switch, switch: current }
  - { name: restart, run: "sudo systemctl reload my-app" }

rollback:                                # run after `current` points at the previous release again
  - { name: restart, run: "sudo systemctl reload my-app" }

gate: { window: 2m, interval: 5s, consecutive: 2 }   # each check passes twice in a row within 2m

checks:
  - { name: home, http: { url: "{{ base_url }}/", status: 200 } }
  - name: login
    login:
      url: "{{ base_url }}/login"
      user: "{{ env.SMOKE_USER }}"
      password: "{{ env.SMOKE_PASSWORD }}"
      then: "{{ base_url }}/dashboard"
  - name: private pages not cached
    private_cache: { url: "{{ base_url }}/dashboard", session: login }
)";

constexpr std::string_view kWebEnvExample =
    R"(# Every key here must be set for each environment (in .env.<environment> or the process
# environment). Values in this file are ignored: never put real secrets here.
DATABASE_URL=postgres://user:password@localhost/my_app
SECRET_KEY=
SMOKE_USER=smoke@example.com
SMOKE_PASSWORD=
)";

constexpr std::string_view kStaticRunbook =
    R"(# golive runbook, schema v1, for a static site. Reference: docs/runbook-format.md
version: 1
app: my-site

environments:
  staging:
    hosts:
      - { name: web1, address: staging.example.com, user: deploy }
    vars: { base_url: "https://staging.example.com" }
  production:
    hosts:
      - { name: web1, address: www1.example.com, user: deploy }
      - { name: web2, address: www2.example.com, user: deploy }
    strategy: { batch: 1 }               # one host at a time
    vars: { base_url: "https://www.example.com" }

env:
  example: .env.example

release:
  path: /srv/my-site                     # point the web server's root at /srv/my-site/current
  keep: 5

build:
  - local: make site
artifact: public/

steps:
  - { name: upload, upload: artifact }
  - { name: switch, switch: current }

gate: { window: 1m, interval: 5s, consecutive: 2 }

checks:
  - { name: home, http: { url: "{{ base_url }}/", status: 200, body_contains: "<html" } }
  - name: assets cacheable
    http:
      url: "{{ base_url }}/"
      header_absent: [ Set-Cookie ]
)";

constexpr std::string_view kStaticEnvExample =
    R"(# Keys listed here are required in every environment. A static site usually needs none.
)";

}  // namespace

std::vector<std::string> init_template_names() {
  return {"web", "static"};
}

std::optional<std::vector<InitFile>> init_template(std::string_view name) {
  if (name == "web") {
    return std::vector<InitFile>{{"golive.yml", std::string(kWebRunbook)},
                                 {".env.example", std::string(kWebEnvExample)}};
  }
  if (name == "static") {
    return std::vector<InitFile>{{"golive.yml", std::string(kStaticRunbook)},
                                 {".env.example", std::string(kStaticEnvExample)}};
  }
  return std::nullopt;
}

}  // namespace golive
