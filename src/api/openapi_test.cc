// The OpenAPI document lists exactly the routes the server serves, and is
// well formed in the ways a validator does not check: unique operation ids,
// every $ref and access name resolvable, every route saying who may call it.
// (tests/e2e/openapi_validate.mjs runs a real OpenAPI validator against the
// live server's document.)
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "api/handler_context.h"

namespace opscale::api {
namespace {

namespace json = boost::json;

struct Built {
  ApiRoutes routes;
  std::string text;
  json::object doc;
};

Built Build() {
  Built b;
  AddApiRoutes(b.routes, nullptr, &b.text);
  b.text = BuildOpenApiJson(b.routes.docs());
  b.doc = json::parse(b.text).as_object();
  return b;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void CollectRefs(const json::value& v, std::set<std::string>* out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      if (k == "$ref" && child.is_string()) out->insert(std::string(child.as_string()));
      CollectRefs(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) CollectRefs(child, out);
  }
}

TEST(OpenApiTest, ListsExactlyTheRoutesTheRouterServes) {
  Built b = Build();
  std::set<std::pair<std::string, std::string>> served, documented;
  for (auto& [method, pattern] : b.routes.router().Routes()) {
    EXPECT_TRUE(served.insert({Lower(method), pattern}).second) << "route added twice: " << method << " " << pattern;
  }
  for (const auto& [path, item] : b.doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) documented.insert({std::string(method), std::string(path)});
  EXPECT_EQ(served, documented);
  EXPECT_GT(served.size(), 50u);  // the whole table, not a part
  EXPECT_TRUE(served.count({"get", "/v1/organizations/{org}/service-tokens/{id}/access"}));
  EXPECT_TRUE(served.count({"get", std::string(kOpenApiPath)}));
}

TEST(OpenApiTest, EveryOperationIsDescribedAndSaysWhoMayCallIt) {
  Built b = Build();
  std::set<std::string> ids;
  std::set<std::string> catalog;
  for (const AccessInfo& info : AccessCatalog()) catalog.insert(std::string(info.name));
  for (const auto& [path, item] : b.doc.at("paths").as_object()) {
    for (const auto& [method, v] : item.as_object()) {
      const json::object& op = v.as_object();
      std::string where = std::string(method) + " " + std::string(path);
      std::string id(op.at("operationId").as_string());
      EXPECT_TRUE(ids.insert(id).second) << "duplicate operationId " << id;
      EXPECT_FALSE(op.at("summary").as_string().empty()) << where;
      bool is_public = op.contains("security") && op.at("security").as_array().empty();
      const json::array& accesses = op.at("x-opscale-accesses").as_array();
      EXPECT_TRUE(is_public || !accesses.empty() || op.contains("x-opscale-access-note"))
          << where << " says nothing about who may call it";
      for (const auto& a : accesses)
        EXPECT_TRUE(catalog.count(std::string(a.as_string()))) << where << ": " << a;
      // Every {param} of the path is declared once as a path parameter.
      std::set<std::string> declared;
      if (op.contains("parameters"))
        for (const auto& p : op.at("parameters").as_array())
          if (p.at("in") == "path") declared.insert(std::string(p.at("name").as_string()));
      std::set<std::string> in_path;
      std::string_view pv(path.data(), path.size());
      for (size_t i = 0; (i = pv.find('{', i)) != std::string_view::npos; ++i)
        in_path.insert(std::string(pv.substr(i + 1, pv.find('}', i) - i - 1)));
      EXPECT_EQ(declared, in_path) << where;
      EXPECT_TRUE(is_public || op.at("responses").as_object().contains("401")) << where;
    }
  }
}

TEST(OpenApiTest, EveryReferenceResolvesAndBothTokenSchemesAreDeclared) {
  Built b = Build();
  std::set<std::string> refs;
  CollectRefs(b.doc, &refs);
  const json::object& schemas = b.doc.at("components").at("schemas").as_object();
  for (const auto& ref : refs) {
    ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
    EXPECT_TRUE(schemas.contains(ref.substr(21))) << "unresolved " << ref;
  }
  EXPECT_TRUE(refs.count("#/components/schemas/Error"));
  const json::object& schemes = b.doc.at("components").at("securitySchemes").as_object();
  EXPECT_EQ(schemes.at("ServiceToken").at("name"), "Authorization");
  EXPECT_EQ(schemes.at("ServiceToken").at("in"), "header");
  EXPECT_EQ(schemes.at("Bearer").at("scheme"), "bearer");
}

TEST(OpenApiTest, CarriesTheWholeAccessCatalogWithEachAccessesEndpoints) {
  Built b = Build();
  const json::array& catalog = b.doc.at("x-opscale-access-catalog").as_array();
  ASSERT_EQ(catalog.size(), AccessCatalog().size());
  for (size_t i = 0; i < catalog.size(); ++i) {
    EXPECT_EQ(catalog[i].at("name").as_string(), AccessCatalog()[i].name);
    EXPECT_EQ(catalog[i].at("level").as_string(), AccessLevelName(AccessCatalog()[i].level));
    EXPECT_FALSE(catalog[i].at("description").as_string().empty());
  }
  // The access the service-tokens guide grants first, on the operations that need it.
  const json::object& get_branch =
      b.doc.at("paths").at("/v1/organizations/{org}/databases/{db}/branches/{branch}").at("get").as_object();
  bool found = false;
  for (const auto& a : get_branch.at("x-opscale-accesses").as_array()) found |= a == "read_branch";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace opscale::api
