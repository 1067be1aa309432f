// Router: matches (method, path) against patterns such as
// "/v1/organizations/{org}/databases/{db}" and yields the captured params.
// Immutable after setup; Match is thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace opscale::api {

using Params = std::map<std::string, std::string>;

template <typename HandlerT>
class Router {
 public:
  void Add(std::string method, const std::string& pattern, HandlerT handler) {
    routes_.push_back({std::move(method), Split(pattern), std::move(handler)});
  }

  // Returns the handler, or nullptr. `path_known` tells whether some route
  // matched the path with another method.
  const HandlerT* Match(const std::string& method, const std::string& path, Params* params,
                        bool* path_known) const {
    std::vector<std::string> segs = Split(path);
    *path_known = false;
    for (const auto& r : routes_) {
      Params p;
      if (!MatchSegments(r.segments, segs, &p)) continue;
      *path_known = true;
      if (r.method != method) continue;
      *params = std::move(p);
      return &r.handler;
    }
    return nullptr;
  }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HandlerT handler;
  };

  static std::vector<std::string> Split(const std::string& path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') { ++i; continue; }
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      out.push_back(path.substr(i, j - i));
      i = j;
    }
    return out;
  }

  static bool MatchSegments(const std::vector<std::string>& pattern,
                            const std::vector<std::string>& segs, Params* p) {
    if (pattern.size() != segs.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      const std::string& pat = pattern[i];
      if (pat.size() > 2 && pat.front() == '{' && pat.back() == '}') {
        if (segs[i].empty()) return false;
        (*p)[pat.substr(1, pat.size() - 2)] = segs[i];
      } else if (pat != segs[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace opscale::api
