// OpenStore: picks the Store backend named by the --store spec.
#include <filesystem>
#include <string_view>
#include <system_error>

#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"

namespace opscale {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Creates the data directory (mode 0700: it holds credential hashes) if it
// does not exist yet; an existing directory keeps its mode.
Status EnsureDataDir(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool created = fs::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  }
  if (created) fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (!fs::is_directory(data_dir, ec)) {
    return Status::Unavailable("data directory " + data_dir + " is not a directory");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const std::string& data_dir) {
  if (spec.empty() || spec == "sqlite") {
    if (data_dir.empty()) {
      return Status::InvalidArgument("the sqlite store needs a data directory");
    }
    OPSCALE_RETURN_IF_ERROR(EnsureDataDir(data_dir));
    auto store =
        sqlite::SqliteStore::Open((std::filesystem::path(data_dir) / "opscale.db").string());
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  // The data directory is not used: everything lives in the database.
  if (StartsWith(spec, "postgres://") || StartsWith(spec, "postgresql://")) {
    auto store = postgres::PostgresStore::Open(spec);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  return Status::InvalidArgument("unknown store '" + spec +
                                 "': use \"sqlite\" or a postgres:// URL");
}

}  // namespace opscale
