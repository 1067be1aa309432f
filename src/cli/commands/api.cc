// pscale api <path>: a raw, authenticated passthrough to the API that prints the reply body.
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/http_client.h"
#include "cli/json_out.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

struct ApiFlags {
  std::string method;
  std::vector<std::string> fields;      // key=value, typed (numbers, true/false/null)
  std::vector<std::string> raw_fields;  // key=value, always strings
  std::string input;                    // file with the request body ("-" for stdin)
};

json::value Typed(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  if (v == "null") return nullptr;
  std::error_code ec;
  json::value parsed = json::parse(v, ec);
  if (!ec && parsed.is_number()) return parsed;
  return json::value(v);
}

Outcome Call(Context& ctx, std::string path, const ApiFlags& flags) {
  while (!path.empty() && path.front() == '/') path.erase(path.begin());
  if (path.rfind("v1/", 0) != 0 && path != "v1") path = "v1/" + path;

  json::object fields;
  for (const auto* list : {&flags.fields, &flags.raw_fields}) {
    for (const std::string& f : *list) {
      auto eq = f.find('=');
      if (eq == std::string::npos) return Classified(fmt::format("field {} is not of the form key=value", f));
      std::string key = f.substr(0, eq);
      std::string value = f.substr(eq + 1);
      fields[key] = list == &flags.fields ? Typed(value) : json::value(value);
    }
  }
  std::optional<std::string> body;
  if (!flags.input.empty()) {
    std::stringstream buf;
    if (flags.input == "-") {
      buf << ctx.io().in->rdbuf();
    } else {
      std::ifstream in(flags.input);
      if (!in) return Classified(fmt::format("cannot read {}", flags.input));
      buf << in.rdbuf();
    }
    body = buf.str();
  }
  std::string method = flags.method;
  if (method.empty()) method = (body || !fields.empty()) ? "POST" : "GET";
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!fields.empty()) {
    if (method == "GET" || method == "HEAD") {
      std::string sep = path.find('?') == std::string::npos ? "?" : "&";
      for (const auto& kv : fields) {
        std::string v =
            kv.value().is_string() ? std::string(kv.value().get_string()) : json::serialize(kv.value());
        path += sep + UrlEscape(kv.key()) + "=" + UrlEscape(v);
        sep = "&";
      }
    } else if (!body) {
      body = json::serialize(fields);
    }
  }

  ApiResult r = ctx.api().Send(method, path, body);
  if (!r.ok()) {
    const ApiError& e = r.error();
    return ctx.Fail(e, e.message.empty() ? "Not Found" : e.message);
  }
  if (r.body().empty()) return Success();
  *ctx.io().out << (r.json().is_null() ? r.body() : GoJson(r.json())) << '\n';
  return Success();
}

}  // namespace

void AddApiCommand(CommandTree& tree) {
  auto flags = std::make_shared<ApiFlags>();
  CLI::App* api =
      tree.AddCommand(&tree.root(), "api", "Make an authenticated request to the API and print the reply",
                      {.args = {"path"}, .needs_org = false},
                      [=](Context& ctx, const auto& a) { return Call(ctx, a[0], *flags); });
  api->add_option("-X,--method", flags->method, "HTTP method (default GET, or POST with fields or input)");
  api->add_option("-F,--field", flags->fields, "Add a typed field key=value (numbers, true, false, null)")
      ->allow_extra_args(false);
  api->add_option("--raw-field", flags->raw_fields, "Add a string field key=value")->allow_extra_args(false);
  api->add_option("--input", flags->input, "File holding the request body (\"-\" for stdin)");
}

}  // namespace opscale::cli
