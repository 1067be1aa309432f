#include "service/metadata_cache.h"

#include <gtest/gtest.h>

namespace opscale {
namespace {

Branch MakeBranch(const std::string& db, const std::string& name, bool ready) {
  Branch b;
  b.id = "b_" + name;
  b.database_id = db;
  b.name = name;
  b.ready = ready;
  return b;
}

TEST(MetadataCacheTest, KeepsWhatWasReadAndForgetsOnClear) {
  MetadataCache c;
  EXPECT_FALSE(c.BranchOf("db1", "main"));
  c.PutBranch(c.generation(), MakeBranch("db1", "main", true));
  ASSERT_TRUE(c.BranchOf("db1", "main"));
  EXPECT_TRUE(c.BranchOf("db1", "main")->ready);
  EXPECT_FALSE(c.BranchOf("db2", "main"));  // keyed by database too
  c.Clear();
  EXPECT_FALSE(c.BranchOf("db1", "main"));
}

TEST(MetadataCacheTest, AValueReadBeforeAClearIsNotKept) {
  MetadataCache c;
  // A reader takes the generation, reads the store (old value), then a
  // writer commits and clears, then the reader tries to cache what it read.
  MetadataCache::Generation g = c.generation();
  c.Clear();
  c.PutBranch(g, MakeBranch("db1", "main", false));
  EXPECT_FALSE(c.BranchOf("db1", "main"));
  Organization o;
  o.id = "org1";
  o.name = "acme";
  c.PutOrg(g, o);
  EXPECT_FALSE(c.Org("acme"));
  c.PutOrg(c.generation(), o);
  EXPECT_EQ(c.Org("acme")->id, "org1");
}

TEST(MetadataCacheTest, StaysBounded) {
  MetadataCache c;
  for (size_t i = 0; i <= MetadataCache::kMaxEntries; ++i) {
    Database d;
    d.id = "d" + std::to_string(i);
    d.org_id = "org1";
    d.name = "db" + std::to_string(i);
    c.PutDb(c.generation(), d);
  }
  // The map was emptied when full, then took the last one.
  EXPECT_FALSE(c.Db("org1", "db0"));
  EXPECT_TRUE(c.Db("org1", "db" + std::to_string(MetadataCache::kMaxEntries)));
}

}  // namespace
}  // namespace opscale
