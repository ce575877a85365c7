// Notifications on release outcomes: Slack-compatible webhooks and/or a local command. A failed
// notification is logged and recorded, never turns a good outcome into a failure.
#pragma once

#include <string>
#include <vector>

#include "golive/ledger.h"
#include "golive/runbook.h"
#include "orchestrator/context/app_context.h"

namespace golive {

// What a notification says; every field is redacted before it leaves.
struct NotifyEvent {
  std::string event;  // started|succeeded|failed|rolled_back|rollback_failed|lock_broken
  std::string app;
  std::string environment;
  std::string release;
  std::string commit;
  std::string who;
  std::string what_failed;
  std::string why;  // `started`: the diff summary (commits, env key names, runbook sections)
  long long time_to_restore_ms = -1;
};

// The JSON payload (Slack-compatible: a `text` field plus structured fields).
std::string notify_payload(const NotifyEvent& event, const Redactor& redactor);

// Sends to every `notify:` entry subscribed to the event; records each attempt in the ledger.
void send_notifications(AppContext& app, const std::vector<Notify>& targets,
                        const std::map<std::string, std::string>& vars,
                        const std::map<std::string, std::string>& env_values,
                        const NotifyEvent& event, Ledger* ledger);

}  // namespace golive
