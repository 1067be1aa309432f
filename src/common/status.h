// Status and Result<T>: errors as values (no exceptions cross a module boundary).
//
// The set of codes is closed and maps 1:1 to HTTP statuses and to the public
// PlanetScale error codes ({"code":"not_found","message":...}). Thread-safe as
// any value type.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace opscale {

enum class Code {
  kOk,
  kInvalidArgument,   // 400 bad_request
  kUnauthenticated,   // 401 unauthorized
  kPermissionDenied,  // 403 forbidden
  kNotFound,          // 404 not_found
  kConflict,          // 409 conflict
  kTooLarge,          // 413 payload_too_large
  kUnprocessable,     // 422 unprocessable
  kRateLimited,       // 429 rate_limited
  kHeadersTooLarge,   // 431 headers_too_large
  kInternal,          // 500 internal
  kUnavailable,       // 503 unavailable
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status NotFound(std::string m = "Not Found") { return {Code::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Unprocessable(std::string m) { return {Code::kUnprocessable, std::move(m)}; }
  static Status RateLimited(std::string m) { return {Code::kRateLimited, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // HTTP status for this code (200 for Ok).
  int HttpStatus() const;
  // Public snake_case error code used in JSON bodies ("not_found", ...).
  const char* CodeName() const;
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-Ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace opscale

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define OPSCALE_RETURN_IF_ERROR(expr)           \
  do {                                          \
    ::opscale::Status _st = (expr);             \
    if (!_st.ok()) return _st;                  \
  } while (0)

#define OPSCALE_CONCAT_INNER(a, b) a##b
#define OPSCALE_CONCAT(a, b) OPSCALE_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, returning its Status early on failure.
#define OPSCALE_ASSIGN_OR_RETURN(lhs, expr)                         \
  auto OPSCALE_CONCAT(_res_, __LINE__) = (expr);                    \
  if (!OPSCALE_CONCAT(_res_, __LINE__).ok())                        \
    return OPSCALE_CONCAT(_res_, __LINE__).status();                \
  lhs = std::move(OPSCALE_CONCAT(_res_, __LINE__)).value()
