#include "orchestrator/ledger/writer_identity.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

TEST(WriterIdentity, ThisProcessIsAlive) {
  WriterIdentity self = current_writer();
  EXPECT_GT(self.pid, 0);
  EXPECT_FALSE(self.host.empty());
  EXPECT_GT(self.start_ticks, 0);
  EXPECT_FALSE(writer_is_dead(self, self));
}

TEST(WriterIdentity, DeadOnlyWhenCertain) {
  WriterIdentity self = current_writer();
  WriterIdentity other_host = self;
  other_host.host = "some-other-machine";
  other_host.pid = 999'999'999;  // no such pid here, but it ran elsewhere
  EXPECT_FALSE(writer_is_dead(other_host, self));

  WriterIdentity unknown;  // imported release: nobody recorded
  EXPECT_FALSE(writer_is_dead(unknown, self));

  WriterIdentity rebooted = self;
  rebooted.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(writer_is_dead(rebooted, self), !self.boot_id.empty());

  WriterIdentity gone = self;
  gone.pid = 999'999'999;
  EXPECT_TRUE(writer_is_dead(gone, self));

  WriterIdentity reused = self;  // same pid, but a different process started later
  reused.start_ticks = self.start_ticks + 1;
  EXPECT_TRUE(writer_is_dead(reused, self));
}

}  // namespace
}  // namespace golive
