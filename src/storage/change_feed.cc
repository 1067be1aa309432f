#include "storage/change_feed.h"

#include "storage/postgres/postgres_change_feed.h"

namespace opscale {

Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const std::string& spec) {
  if (spec.rfind("postgres://", 0) == 0 || spec.rfind("postgresql://", 0) == 0)
    return std::unique_ptr<ChangeFeed>(std::make_unique<postgres::PostgresChangeFeed>(spec));
  return std::unique_ptr<ChangeFeed>();
}

}  // namespace opscale
