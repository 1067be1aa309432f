#include "engine/null_engine.h"

#include <gtest/gtest.h>

namespace opscale::engine {
namespace {

void ExpectNoEngine(const Status& st) {
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.HttpStatus(), 503);
  EXPECT_EQ(st.message(), kNoEngineMessage);
}

TEST(NullEngineTest, EveryCallIsUnavailable) {
  NullEngine engine("mariadbd not found");
  ExpectNoEngine(engine.CreateSchema("s"));
  ExpectNoEngine(engine.DropSchema("s"));
  ExpectNoEngine(engine.CopySchema("a", "b"));
  ExpectNoEngine(engine.ListTables("s").status());
  ExpectNoEngine(engine.CreateAccount({"u", "p", "s", Role::kAdmin, true, {}}));
  ExpectNoEngine(engine.DropAccount("u"));
  ExpectNoEngine(engine.KillSessions("u"));
  ExpectNoEngine(engine.CountSessions("u").status());
  ExpectNoEngine(engine.SetDdlAllowed("u", "s", Role::kAdmin, false));
  ExpectNoEngine(engine.Ping());
  EXPECT_EQ(engine.host(), "");
  EXPECT_EQ(engine.port(), 0);
  EXPECT_NE(engine.Describe().find("install mariadb-server"), std::string::npos);
  EXPECT_NE(engine.Describe().find("mariadbd not found"), std::string::npos);
}

}  // namespace
}  // namespace opscale::engine
