// JSON shapes of the public PlanetScale v1 API for opscale's values
// (planetscale-openapi.yaml; field names and nullability as published).
// Pure functions; thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "domain/audit_event.h"
#include "domain/database.h"
#include "domain/organization.h"
#include "service/service_tokens.h"

namespace opscale::api {

// Where the dashboard lives, for html_url fields ("http://127.0.0.1:8080").
struct UrlBase {
  std::string origin;
};

// Text escaped for the APIs' `html` fields.
std::string HtmlEscape(const std::string& s);
boost::json::value TimeOrNull(const std::optional<TimeMs>& t);
boost::json::object RegionJson(const std::string& slug);
boost::json::object OrganizationJson(const Organization& org, int database_count,
                                     const UrlBase& base);
boost::json::object DatabaseJson(const Database& db, const std::string& org_name,
                                 const std::vector<Branch>& branches, const UrlBase& base);
boost::json::object BranchJson(const Branch& b, const std::string& org_name,
                               const std::string& db_name, const UrlBase& base);
// The same view as JSON text, written without an object in between (GET a branch).
std::string BranchJsonText(const Branch& b, const std::string& org_name,
                           const std::string& db_name, const UrlBase& base);
boost::json::object ServiceTokenJson(const ServiceTokenView& v);
boost::json::object ServiceTokenAccessJson(const GrantView& g);
// GET .../grants: one entry per resource, accesses grouped.
boost::json::array ServiceTokenGrantsJson(const std::vector<GrantView>& grants);
boost::json::object AuditEventJson(const AuditEvent& e);

}  // namespace opscale::api
