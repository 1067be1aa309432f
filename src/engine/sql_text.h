// SQL text building for the engine: name validation, quoting, grant lists.
// Nothing user-supplied reaches SQL without passing a Validate* function
// here first; quoting is applied on top as a second line of defence.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace opscale::engine {

inline constexpr size_t kMaxSchemaLength = 64;  // MariaDB NAME_CHAR_LEN
inline constexpr size_t kMaxUserLength = 80;    // MariaDB USERNAME_CHAR_LENGTH
inline constexpr size_t kMaxHostLength = 255;
inline constexpr size_t kMaxPasswordLength = 512;

// The account the private instance is administered with; never handed out.
inline constexpr std::string_view kAdminUser = "opscale_admin";

// [a-z0-9_-]{1,64}, not a system schema (mysql, sys, information_schema,
// performance_schema). InvalidArgument names the rule, not the value.
Status ValidateSchemaName(std::string_view schema);
// [a-z0-9_-]{1,80}, not root, mysql, or the admin account.
Status ValidateUserName(std::string_view user);
// A MariaDB host pattern: IPv4/IPv6 literal, host name, "localhost", "%",
// or a netmask form "10.0.0.0/255.0.0.0". Letters, digits and ".:%_/-".
Status ValidateHost(std::string_view host);
// 1..512 bytes.
Status ValidatePassword(std::string_view password);

// `name` in backticks, inner backticks doubled. Safe for any table name read
// back from the server; callers still validate names that come from users.
std::string QuoteIdent(std::string_view name);
// `schema`.* with "_" and "%" escaped: in GRANT/REVOKE a schema name is a
// LIKE pattern, so `a_b` would also match schema "axb".
std::string GrantTarget(std::string_view schema);
// 'user'@'host' for a validated user and host (no quotes inside to escape).
std::string AccountName(std::string_view user, std::string_view host);

// mysql_native_password hash: "*" + uppercase hex(SHA1(SHA1(password))).
// Lets CREATE USER carry a hash instead of the secret itself.
std::string NativePasswordHash(std::string_view password);

// Privilege lists for GRANT, e.g. "SELECT, SHOW VIEW".
std::string DmlPrivileges(Role role);  // everything but DDL
std::string DdlPrivileges();           // the admin-only DDL set

// Removes the " AUTO_INCREMENT=<n>" table option from SHOW CREATE TABLE
// output (a counter, not schema; branches start empty).
std::string StripAutoIncrement(std::string ddl);

}  // namespace opscale::engine
