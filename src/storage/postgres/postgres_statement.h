// Params and Rows: the two ends of one PostgreSQL statement. Params holds the
// values of $1..$n in order, each with its type, so the server never has to
// guess (a guessed int4 would truncate a millisecond time); Rows owns the
// PGresult of a statement that succeeded and reads its columns.
//
// Values travel in libpq's text format: the same bytes SQLite stores, and no
// byte-order handling. Thread-safety: none; value types used under the
// store's lock.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opscale::postgres {

class Params {
 public:
  // Each call binds the next parameter: the first $1, the next $2, ...
  Params& Text(std::string_view v);
  Params& Int(int64_t v);
  Params& Bool(bool v);
  Params& OptText(const std::optional<std::string>& v);  // nullopt -> NULL
  Params& OptInt(const std::optional<int64_t>& v);       // nullopt -> NULL

  int size() const { return static_cast<int>(values_.size()); }
  const Oid* types() const { return types_.data(); }
  // Pointers into this object for PQexecPrepared (nullptr for NULL); valid
  // while it lives and is not changed.
  std::vector<const char*> values() const;

 private:
  Params& Add(std::optional<std::string> v, Oid type);

  std::vector<std::optional<std::string>> values_;
  std::vector<Oid> types_;
};

// One row of a Rows. Column reads are 0-based; NULL reads as "" / 0 / false.
class Row {
 public:
  Row(const PGresult* res, int row) : res_(res), row_(row) {}

  std::string Text(int col) const;
  int64_t Int(int col) const;
  bool Bool(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  bool IsNull(int col) const { return PQgetisnull(res_, row_, col) != 0; }

  const PGresult* res_;
  int row_;
};

// The result of a statement that succeeded.
class Rows {
 public:
  explicit Rows(PGresult* res) : res_(res) {}

  int size() const { return PQntuples(res_.get()); }
  Row operator[](int i) const { return Row(res_.get(), i); }
  // Rows changed by an INSERT/UPDATE/DELETE (0 for other statements).
  int64_t affected() const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> res_;
};

}  // namespace opscale::postgres
