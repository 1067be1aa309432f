#include "storage/postgres/postgres_statement.h"

#include <charconv>
#include <utility>

namespace opscale::postgres {
namespace {

// Type OIDs from the server catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

}  // namespace

Params& Params::Add(std::optional<std::string> v, Oid type) {
  values_.push_back(std::move(v));
  types_.push_back(type);
  return *this;
}

Params& Params::Text(std::string_view v) { return Add(std::string(v), kTextOid); }

Params& Params::Int(int64_t v) { return Add(std::to_string(v), kInt8Oid); }

Params& Params::Bool(bool v) { return Add(v ? "t" : "f", kBoolOid); }

Params& Params::OptText(const std::optional<std::string>& v) {
  return Add(v ? std::optional<std::string>(*v) : std::nullopt, kTextOid);
}

Params& Params::OptInt(const std::optional<int64_t>& v) {
  return Add(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt, kInt8Oid);
}

std::vector<const char*> Params::values() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::string Row::Text(int col) const {
  if (IsNull(col)) return {};
  return std::string(PQgetvalue(res_, row_, col),
                     static_cast<size_t>(PQgetlength(res_, row_, col)));
}

int64_t Row::Int(int col) const {
  if (IsNull(col)) return 0;
  const char* s = PQgetvalue(res_, row_, col);
  int64_t v = 0;
  std::from_chars(s, s + PQgetlength(res_, row_, col), v);
  return v;
}

bool Row::Bool(int col) const { return !IsNull(col) && PQgetvalue(res_, row_, col)[0] == 't'; }

std::optional<std::string> Row::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Row::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(res_.get());
  int64_t v = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

}  // namespace opscale::postgres
