// The dashboard: web/index.html for "/" and every dashboard path (the app
// routes in the browser), web/assets/* at /assets/*.
#include <algorithm>

#include "api/api_app.h"
#include "api/web_assets.h"

namespace opscale::api {

const EmbeddedFile* FindEmbeddedFile(std::string_view path) {
  auto files = EmbeddedFiles();
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const EmbeddedFile& f, std::string_view p) { return f.path < p; });
  if (it == files.end() || it->path != path) return nullptr;
  return &*it;
}

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".ico", "image/x-icon"},                {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},   {".woff2", "font/woff2"},
  };
  for (const auto& [ext, type] : kTypes)
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext) return type;
  return "application/octet-stream";
}

Response ServeWeb(const Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return ErrorResponse(Status::NotFound());
  const EmbeddedFile* f = nullptr;
  if (req.path.rfind("/assets/", 0) == 0) {
    f = FindEmbeddedFile(std::string_view(req.path).substr(1));
    if (!f) {
      Response r{404, "text/plain; charset=utf-8", {}, "not found\n"};
      return r;
    }
  } else {
    f = FindEmbeddedFile("index.html");
    if (!f) return ErrorResponse(Status::NotFound("this opscaled was built without the dashboard"));
  }
  Response r;
  r.content_type = std::string(ContentTypeFor(f->path));
  r.body = std::string(f->body);
  // Small files, one binary: revalidate each time so an upgrade shows at once.
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (req.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace opscale::api
