// The dashboard's static files (web/), embedded into opscaled at build time
// by cmake/embed_files.cmake. Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace opscale::api {

struct EmbeddedFile {
  std::string_view path;  // relative to web/, e.g. "index.html", "assets/app.js"
  std::string_view body;
};

// Every embedded file, sorted by path.
std::span<const EmbeddedFile> EmbeddedFiles();

// The file at `path` (relative to web/), or nullptr.
const EmbeddedFile* FindEmbeddedFile(std::string_view path);

// Content-Type by file extension ("application/octet-stream" if unknown).
std::string_view ContentTypeFor(std::string_view path);

}  // namespace opscale::api
