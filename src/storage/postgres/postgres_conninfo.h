// ConninfoRedactor: what may be said about a PostgreSQL connection string in
// a message. The --store URL may carry a password (postgres://u:pw@host/db,
// ?password=..., or password=... in key=value form); error messages name the
// server, database and user, and pass every text that came from libpq through
// Scrub(), because libpq echoes a malformed URL whole (DESIGN rule 14).
//
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opscale::postgres {

class ConninfoRedactor {
 public:
  explicit ConninfoRedactor(const std::string& conninfo);

  // "PostgreSQL at host:port (database d, user u)", or "PostgreSQL" when the
  // string does not parse. Never contains the password.
  const std::string& target() const { return target_; }
  // libpq's complaint when the string does not parse ("" when it does), scrubbed.
  const std::string& parse_error() const { return parse_error_; }

  // `text` with every form of the password replaced by "***", on one line.
  std::string Scrub(std::string_view text) const;

 private:
  void AddSecret(std::string s);

  std::string target_ = "PostgreSQL";
  std::string parse_error_;
  std::vector<std::string> secrets_;  // longest first
};

}  // namespace opscale::postgres
