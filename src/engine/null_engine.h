// NullEngine: the Engine used when no database engine is available (no
// mariadbd installed and no --mysql-dsn). Every operation fails with
// Unavailable (HTTP 503) and kNoEngineMessage, so callers never test an
// "engine enabled" flag. Stateless and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"

namespace opscale::engine {

class NullEngine final : public Engine {
 public:
  // `reason` is appended to Describe() (e.g. why the private instance could
  // not start); calls still answer kNoEngineMessage.
  explicit NullEngine(std::string reason = "") : reason_(std::move(reason)) {}

  Status CreateSchema(const std::string& schema) override;
  Status DropSchema(const std::string& schema) override;
  Status CopySchema(const std::string& from, const std::string& to) override;
  Result<std::vector<TableDdl>> ListTables(const std::string& schema) override;
  Result<std::vector<std::string>> DiffSchemas(const std::string& target_schema,
                                               const std::string& source_schema) override;
  Status ApplyDdl(const std::string& schema, const std::vector<std::string>& statements) override;
  Status CreateAccount(const AccountSpec& spec) override;
  Status DropAccount(const std::string& username) override;
  Status KillSessions(const std::string& username) override;
  Result<int> CountSessions(const std::string& username) override;
  Status SetDdlAllowed(const std::string& username, const std::string& schema, Role role,
                       bool allowed) override;
  Status Ping() override;
  std::string Describe() const override;
  std::string host() const override { return ""; }
  int port() const override { return 0; }

 private:
  std::string reason_;
};

}  // namespace opscale::engine
