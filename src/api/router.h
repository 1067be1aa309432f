// Router: matches (method, path) against patterns such as
// "/v1/organizations/{org}/databases/{db}" and yields the captured params.
// Immutable after setup; Match is thread-safe.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opscale::api {

using Params = std::map<std::string, std::string>;

template <typename HandlerT>
class Router {
 public:
  void Add(std::string method, const std::string& pattern, HandlerT handler) {
    Route r{std::move(method), {}, std::move(handler)};
    Segments segs = Split(pattern);
    for (size_t i = 0; i < segs.n; ++i) {
      std::string_view seg = segs.v[i];
      bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
      r.segments.push_back({std::string(param ? seg.substr(1, seg.size() - 2) : seg), param});
    }
    routes_.push_back(std::move(r));
  }

  // Every route as (method, pattern), in the order added: for the checks that
  // the OpenAPI document lists exactly the routes served (docs/api.md).
  std::vector<std::pair<std::string, std::string>> Routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : routes_) {
      std::string pattern;
      for (const auto& seg : r.segments) pattern += seg.param ? "/{" + seg.text + "}" : "/" + seg.text;
      out.emplace_back(r.method, pattern.empty() ? "/" : pattern);
    }
    return out;
  }

  // Whether some route matches (method, path); captures nothing.
  bool Has(const std::string& method, const std::string& path) const {
    Segments segs = Split(path);
    if (segs.overflow) return false;
    for (const auto& r : routes_) {
      if (r.method == method && Matches(r, segs)) return true;
    }
    return false;
  }

  // Returns the handler, or nullptr. `path_known` tells whether some route
  // matched the path with another method.
  const HandlerT* Match(const std::string& method, const std::string& path, Params* params,
                        bool* path_known) const {
    *path_known = false;
    Segments segs = Split(path);
    if (segs.overflow) return nullptr;  // longer than any route
    // Routes are compared without allocating; only the match fills `params`.
    for (const auto& r : routes_) {
      if (!Matches(r, segs)) continue;
      *path_known = true;
      if (r.method != method) continue;
      params->clear();
      for (size_t i = 0; i < segs.n; ++i) {
        if (r.segments[i].param) (*params)[r.segments[i].text] = std::string(segs.v[i]);
      }
      return &r.handler;
    }
    return nullptr;
  }

 private:
  static constexpr size_t kMaxSegments = 16;
  struct Segment {
    std::string text;  // the literal, or the param's name
    bool param;
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    HandlerT handler;
  };
  struct Segments {
    std::array<std::string_view, kMaxSegments> v;
    size_t n = 0;
    bool overflow = false;
  };

  // The non-empty segments between slashes.
  static Segments Split(std::string_view path) {
    Segments out;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') { ++i; continue; }
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (out.n == kMaxSegments) {
        out.overflow = true;
        break;
      }
      out.v[out.n++] = path.substr(i, j - i);
      i = j;
    }
    return out;
  }

  static bool Matches(const Route& r, const Segments& segs) {
    if (r.segments.size() != segs.n) return false;
    for (size_t i = 0; i < segs.n; ++i) {
      if (!r.segments[i].param && r.segments[i].text != segs.v[i]) return false;
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace opscale::api
