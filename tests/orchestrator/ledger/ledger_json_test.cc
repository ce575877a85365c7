// The chain hashes canonical JSON text: these pin it to what ledgers written before the JSON
// adapter existed hold (payloads and hashes copied from such a ledger), so it never drifts.
#include "orchestrator/ledger/ledger_json.h"

#include <gtest/gtest.h>

#include "orchestrator/ledger/ledger_chain.h"

namespace golive {
namespace {

TEST(LedgerJson, StepPayloadAndHashMatchALedgerWrittenBeforeTheJsonAdapter) {
  StepRunRecord s;
  s.release_id = "20261201-053300-abc1234";
  s.host = "web1";
  s.step = "upload";
  s.phase = "deploy";
  s.started_at = "2026-12-01T05:33:01Z";
  s.finished_at = "2026-12-01T05:33:02Z";
  s.exit_status = 0;
  s.outcome = "ok";
  s.output_tail = "bad utf8 \xff\xfe here\nline2 \x01 ctrl";
  const std::string payload = canonical_json(step_to_json(s));
  EXPECT_EQ(payload,
            "{\"exit_status\":0,\"finished_at\":\"2026-12-01T05:33:02Z\",\"host\":\"web1\","
            "\"outcome\":\"ok\",\"output_tail\":\"bad utf8 \xef\xbf\xbd\xef\xbf\xbd here\\nline2 "
            "\\u0001 ctrl\",\"phase\":\"deploy\",\"release_id\":\"20261201-053300-abc1234\","
            "\"started_at\":\"2026-12-01T05:33:01Z\",\"step\":\"upload\"}");
  EXPECT_EQ(entry_hash("5b77effd4c6edc1eaf2560e74374ba2544c873cecae65250c53a2159eb56272a", 2,
                       entry_kind::kStep, s.release_id, payload),
            "e74314c6354245deed45b18825bff020a4ea3789a210c6868b709989db91f699");
}

TEST(LedgerJson, CheckPayloadAndHashMatchALedgerWrittenBeforeTheJsonAdapter) {
  CheckRecord c;
  c.release_id = "20261201-053300-abc1234";
  c.check = "home";
  c.host = "web1";
  c.phase = "gate";
  c.attempts = 3;
  c.p50_ms = 12;
  c.p95_ms = 40;
  c.passed = true;
  const std::string payload = canonical_json(check_to_json(c));
  EXPECT_EQ(payload,
            R"({"attempts":3,"check":"home","host":"web1","p50_ms":12,"p95_ms":40,"passed":true,)"
            R"("phase":"gate","reason":"","release_id":"20261201-053300-abc1234"})");
  EXPECT_EQ(entry_hash("e74314c6354245deed45b18825bff020a4ea3789a210c6868b709989db91f699", 3,
                       entry_kind::kCheck, c.release_id, payload),
            "a3303f60ed3880e7d3e9783cbe5647c22cd04dfa27698a38869bd6333af10f52");
}

TEST(LedgerJson, ReadersTolerateWrongTypes) {
  auto j = Json::parse(R"({"host":5,"exit_status":"x","outcome":"ok"})");
  ASSERT_TRUE(j);
  StepRunRecord s = step_from_json(*j);
  EXPECT_EQ(s.host, "");
  EXPECT_EQ(s.exit_status, -1);
  EXPECT_EQ(s.outcome, "ok");
}

}  // namespace
}  // namespace golive
