#include "engine/engine_factory.h"

#include "engine/mariadb_engine.h"
#include "engine/mysql_dsn.h"
#include "engine/null_engine.h"
#include "engine/private_mariadb.h"

namespace opscale::engine {

Result<std::unique_ptr<Engine>> OpenEngine(const EngineOptions& options) {
  if (!options.mysql_dsn.empty()) {
    OPSCALE_ASSIGN_OR_RETURN(DsnSpec dsn, ParseMysqlDsn(options.mysql_dsn));
    return ConnectMariaDb(dsn);
  }
  PrivateMariaDbOptions private_options;
  private_options.data_dir = options.data_dir;
  Result<std::unique_ptr<PrivateMariaDb>> instance = PrivateMariaDb::Start(private_options);
  if (!instance.ok()) {
    if (instance.status().code() == Code::kUnavailable &&
        instance.status().message() == kNoEngineMessage) {
      return std::unique_ptr<Engine>(new NullEngine("mariadbd not found"));
    }
    return instance.status();
  }
  MariaDbEngineOptions engine_options;
  engine_options.dsn = (*instance)->admin_dsn();
  engine_options.label = "private";
  engine_options.keep_alive = std::shared_ptr<PrivateMariaDb>(std::move(instance).value());
  return ConnectMariaDb(std::move(engine_options));
}

}  // namespace opscale::engine
