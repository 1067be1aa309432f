#include "common/status.h"

namespace opscale {

int Status::HttpStatus() const {
  switch (code_) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kConflict: return 409;
    case Code::kTooLarge: return 413;
    case Code::kUnprocessable: return 422;
    case Code::kRateLimited: return 429;
    case Code::kHeadersTooLarge: return 431;
    case Code::kInternal: return 500;
    case Code::kUnavailable: return 503;
  }
  return 500;
}

const char* Status::CodeName() const {
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "bad_request";
    case Code::kUnauthenticated: return "unauthorized";
    case Code::kPermissionDenied: return "forbidden";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kTooLarge: return "payload_too_large";
    case Code::kUnprocessable: return "unprocessable";
    case Code::kRateLimited: return "rate_limited";
    case Code::kHeadersTooLarge: return "headers_too_large";
    case Code::kInternal: return "internal";
    case Code::kUnavailable: return "unavailable";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName()) + ": " + message_;
}

}  // namespace opscale
