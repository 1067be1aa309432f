#include "engine/null_engine.h"

namespace opscale::engine {
namespace {

Status NoEngine() { return Status::Unavailable(std::string(kNoEngineMessage)); }

}  // namespace

Status NullEngine::CreateSchema(const std::string&) { return NoEngine(); }
Status NullEngine::DropSchema(const std::string&) { return NoEngine(); }
Status NullEngine::CopySchema(const std::string&, const std::string&) { return NoEngine(); }
Result<std::vector<TableDdl>> NullEngine::ListTables(const std::string&) { return NoEngine(); }
Result<std::vector<std::string>> NullEngine::DiffSchemas(const std::string&, const std::string&) {
  return NoEngine();
}
Status NullEngine::ApplyDdl(const std::string&, const std::vector<std::string>&) { return NoEngine(); }
Status NullEngine::CreateAccount(const AccountSpec&) { return NoEngine(); }
Status NullEngine::DropAccount(const std::string&) { return NoEngine(); }
Status NullEngine::KillSessions(const std::string&) { return NoEngine(); }
Result<int> NullEngine::CountSessions(const std::string&) { return NoEngine(); }
Status NullEngine::SetDdlAllowed(const std::string&, const std::string&, Role, bool) {
  return NoEngine();
}
Status NullEngine::Ping() { return NoEngine(); }

std::string NullEngine::Describe() const {
  std::string out = std::string(kNoEngineMessage);
  if (!reason_.empty()) out += " (" + reason_ + ")";
  return out;
}

}  // namespace opscale::engine
