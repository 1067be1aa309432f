#include "engine/sql_text.h"

#include <openssl/evp.h>

#include "common/crypto.h"

namespace opscale::engine {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

Status ValidateName(std::string_view what, std::string_view name, size_t max) {
  if (name.empty() || name.size() > max) {
    return Status::InvalidArgument(std::string(what) + " must be 1 to " + std::to_string(max) +
                                   " characters");
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return Status::InvalidArgument(std::string(what) +
                                     " may contain only lowercase letters, digits, '_' and '-'");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kWriter:
      return "writer";
    case Role::kReadWriter:
      return "readwriter";
    case Role::kAdmin:
      return "admin";
  }
  return "reader";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kReader, Role::kWriter, Role::kReadWriter, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return Status::InvalidArgument("role must be one of reader, writer, readwriter, admin");
}

std::vector<std::string> DefaultAccountHosts() { return {"127.0.0.1", "::1", "localhost"}; }

Status ValidateSchemaName(std::string_view schema) {
  OPSCALE_RETURN_IF_ERROR(ValidateName("schema name", schema, kMaxSchemaLength));
  for (std::string_view reserved : {"mysql", "sys", "information_schema", "performance_schema"}) {
    if (schema == reserved) return Status::InvalidArgument("schema name is reserved");
  }
  return Status::Ok();
}

Status ValidateUserName(std::string_view user) {
  OPSCALE_RETURN_IF_ERROR(ValidateName("user name", user, kMaxUserLength));
  for (std::string_view reserved :
       {std::string_view("root"), std::string_view("mysql"), kAdminUser}) {
    if (user == reserved) return Status::InvalidArgument("user name is reserved");
  }
  return Status::Ok();
}

Status ValidateHost(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) {
    return Status::InvalidArgument("host must be 1 to 255 characters");
  }
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == ':' || c == '%' || c == '_' || c == '/' || c == '-';
    if (!ok) return Status::InvalidArgument("host may contain only letters, digits and .:%_/-");
  }
  return Status::Ok();
}

Status ValidatePassword(std::string_view password) {
  if (password.empty() || password.size() > kMaxPasswordLength) {
    return Status::InvalidArgument("password must be 1 to 512 bytes");
  }
  return Status::Ok();
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string GrantTarget(std::string_view schema) {
  std::string escaped;
  for (char c : schema) {
    if (c == '_' || c == '%' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return QuoteIdent(escaped) + ".*";
}

std::string AccountName(std::string_view user, std::string_view host) {
  // Both are validated: no quote or backslash can occur in them.
  return "'" + std::string(user) + "'@'" + std::string(host) + "'";
}

std::string NativePasswordHash(std::string_view password) {
  unsigned char once[EVP_MAX_MD_SIZE], twice[EVP_MAX_MD_SIZE];
  unsigned int once_len = 0, twice_len = 0;
  EVP_Digest(password.data(), password.size(), once, &once_len, EVP_sha1(), nullptr);
  EVP_Digest(once, once_len, twice, &twice_len, EVP_sha1(), nullptr);
  std::string hex = crypto::Hex(std::string_view(reinterpret_cast<const char*>(twice), twice_len));
  for (char& c : hex) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return "*" + hex;
}

std::string DmlPrivileges(Role role) {
  switch (role) {
    case Role::kReader:
      return "SELECT, SHOW VIEW";
    case Role::kWriter:
      return "INSERT, UPDATE, DELETE";
    case Role::kReadWriter:
    case Role::kAdmin:
      return "SELECT, SHOW VIEW, INSERT, UPDATE, DELETE";
  }
  return "SELECT";
}

std::string DdlPrivileges() {
  return "CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, CREATE TEMPORARY TABLES, "
         "LOCK TABLES";
}

std::string StripAutoIncrement(std::string ddl) {
  // Table options follow the closing parenthesis of the column list; a
  // column's own AUTO_INCREMENT attribute has no "=".
  size_t body_end = ddl.rfind("\n)");
  if (body_end == std::string::npos) return ddl;
  static constexpr std::string_view kOption = " AUTO_INCREMENT=";
  size_t at = ddl.find(kOption, body_end);
  if (at == std::string::npos) return ddl;
  size_t end = at + kOption.size();
  while (end < ddl.size() && ddl[end] >= '0' && ddl[end] <= '9') ++end;
  if (end == at + kOption.size()) return ddl;
  ddl.erase(at, end - at);
  return ddl;
}

}  // namespace opscale::engine
