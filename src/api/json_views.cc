#include "api/json_views.h"

#include <boost/json.hpp>
#include <algorithm>
#include <map>

#include "api/json_writer.h"
#include "auth/access.h"

namespace opscale::api {

namespace json = boost::json;

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

json::value TimeOrNull(const std::optional<TimeMs>& t) {
  if (!t) return nullptr;
  return json::value(FormatTime(*t));
}

namespace {

void WriteRegion(JsonWriter& w, const std::string& slug) {
  w.BeginObject()
      .Field("id", slug)
      .Field("type", "Region")
      .Field("provider", "opscale")
      .Field("enabled", true)
      .Key("public_ip_addresses").BeginArray().String("127.0.0.1").EndArray()
      .Field("display_name", "Local (" + slug + ")")
      .Field("location", "This machine")
      .Field("slug", slug)
      .Field("current_default", true)
      .Field("mysql_supported", true)
      .Field("postgresql_supported", false)
      .EndObject();
}

void WriteActor(JsonWriter& w, const Actor& a) {
  w.BeginObject()
      .Field("id", a.id)
      .Field("type", ActorTypeName(a.type))
      .Field("display_name", a.display_name)
      .Field("avatar_url", "")
      .EndObject();
}

// The object form of a view written with JsonWriter (one definition of its fields).
template <typename WriteFn>
json::object ObjectOf(WriteFn write) {
  JsonWriter w;
  write(w);
  return json::parse(std::move(w).Take()).as_object();
}

}  // namespace

json::object RegionJson(const std::string& slug) {
  return ObjectOf([&](JsonWriter& w) { WriteRegion(w, slug); });
}


json::object OrganizationJson(const Organization& org, int database_count, const UrlBase& base) {
  return {
      {"id", org.id},
      {"type", "Organization"},
      {"name", org.name},
      {"billing_email", ""},
      {"created_at", FormatTime(org.created_at)},
      {"updated_at", FormatTime(org.updated_at)},
      {"plan", "self-hosted"},
      {"valid_billing_info", true},
      {"sso", false},
      {"sso_directory", false},
      {"single_tenancy", false},
      {"managed_tenancy", false},
      {"has_past_due_invoices", false},
      {"database_count", database_count},
      {"sso_portal_url", nullptr},
      {"features", json::object{}},
      {"idp_managed_roles", false},
      {"invoice_budget_amount", "0"},
      {"keyspace_shard_limit", 1},
      {"has_card", false},
      {"payment_info_required", false},
      {"html_url", base.origin + "/" + org.name},
  };
}

json::object DatabaseJson(const Database& db, const std::string& org_name,
                          const std::vector<Branch>& branches, const UrlBase& base) {
  int prod = 0, dev = 0;
  for (const auto& b : branches) (b.production ? prod : dev)++;
  std::string api = "/v1/organizations/" + org_name + "/databases/" + db.name;
  return {
      {"id", db.id},
      {"type", "Database"},
      {"url", base.origin + api},
      {"branches_url", base.origin + api + "/branches"},
      {"branches_count", static_cast<int>(branches.size())},
      {"open_schema_recommendations_count", 0},
      {"development_branches_count", dev},
      {"production_branches_count", prod},
      {"issues_count", 0},
      {"multiple_admins_required_for_deletion", false},
      {"ready", db.state == "ready"},
      {"at_backup_restore_branches_limit", false},
      {"at_development_branch_usage_limit", false},
      {"data_import", nullptr},
      {"region", RegionJson(db.region)},
      {"html_url", base.origin + "/" + org_name + "/" + db.name},
      {"name", db.name},
      {"notes", db.notes},
      {"state", db.state},
      {"sharded", false},
      {"default_branch_shard_count", 1},
      {"default_branch_read_only_regions_count", 0},
      {"default_branch_table_count", 0},
      {"default_branch", db.default_branch},
      {"require_approval_for_deploy", db.require_approval_for_deploy},
      {"deletion_protected", false},
      {"resizing", false},
      {"resize_queued", false},
      {"config_changing", false},
      {"config_change_queued", false},
      {"allow_data_branching", false},
      {"foreign_keys_enabled", true},
      {"automatic_migrations", false},
      {"restrict_branch_region", false},
      {"insights_raw_queries", false},
      {"plan", "self-hosted"},
      {"insights_enabled", false},
      {"production_branch_web_console", false},
      {"migration_table_name", nullptr},
      {"migration_framework", nullptr},
      {"created_at", FormatTime(db.created_at)},
      {"updated_at", FormatTime(db.updated_at)},
      {"schema_last_updated_at", nullptr},
      {"kind", db.kind},
  };
}

std::string BranchJsonText(const Branch& b, const std::string& org_name,
                           const std::string& db_name, const UrlBase& base) {
  std::string path = org_name + "/databases/" + db_name + "/branches/" + b.name;
  JsonWriter w;
  w.BeginObject()
      .Field("id", b.id)
      .Field("type", "Branch")
      .Field("name", b.name)
      .Field("created_at", FormatTime(b.created_at))
      .Field("updated_at", FormatTime(b.updated_at))
      .NullField("deleted_at")
      .NullField("restore_checklist_completed_at")
      .NullField("schema_last_updated_at")
      .Field("kind", "mysql")
      .Field("mysql_address", "127.0.0.1")
      .Field("mysql_edge_address", "127.0.0.1")
      .Field("state", b.ready ? "ready" : "pending")
      .Field("direct_vtgate", false)
      .Field("vtgate_size", "")
      .NullField("vtgate_name")
      .Field("vtgate_count", 0)
      .Field("vtgate_autoscaling", false)
      .NullField("vtgate_max_count")
      .NullField("vtgate_target_cpu_utilization")
      .Field("cluster_name", "")
      .NullField("cluster_iops")
      .Field("ready", b.ready)
      .Field("schema_ready", b.ready)
      .Field("metal", false)
      .Field("production", b.production)
      .Field("safe_migrations", b.safe_migrations)
      .Field("deletion_protected", false)
      .Field("sharded", false)
      .Field("shard_count", 1)
      .Field("keyspace_count", 1)
      .Field("stale_schema", false)
      .Key("actor");
  WriteActor(w, b.created_by);
  w.NullField("restored_from_branch")
      .Field("private_edge_connectivity", false)
      .Field("has_replicas", false)
      .Field("has_read_only_replicas", false)
      .Field("html_url", base.origin + "/" + org_name + "/" + db_name + "/" + b.name)
      .Field("url", base.origin + "/v1/organizations/" + path)
      .Key("region");
  WriteRegion(w, b.region);
  w.Key("parent_branch");
  if (b.parent_branch.empty()) {
    w.Null();
  } else {
    w.String(b.parent_branch);
  }
  w.Key("vtgate_options").BeginObject().EndObject().EndObject();
  return std::move(w).Take();
}

json::object BranchJson(const Branch& b, const std::string& org_name, const std::string& db_name,
                        const UrlBase& base) {
  return json::parse(BranchJsonText(b, org_name, db_name, base)).as_object();
}

json::object ServiceTokenAccessJson(const GrantView& g) {
  const bool org = g.grant.resource_type == ResourceType::kOrganization;
  auto access = ParseAccess(g.grant.access);
  return {
      {"id", g.grant.id},
      {"type", org ? "OrganizationAccess" : "DatabaseAccess"},
      {"access", g.grant.access},
      {"description", access ? std::string(Info(*access).description) : std::string()},
      {"resource_name", g.resource_name},
      {"resource_id", g.grant.resource_id},
      {"resource_type", ResourceTypeName(g.grant.resource_type)},
      {"resource",
       {{"id", g.grant.resource_id},
        {"type", ResourceTypeName(g.grant.resource_type)},
        {"name", g.resource_name},
        {"created_at", FormatTime(g.resource_created_at)},
        {"updated_at", FormatTime(g.resource_updated_at)},
        {"deleted_at", nullptr}}},
  };
}

json::object ServiceTokenJson(const ServiceTokenView& v) {
  const ServiceToken& t = v.token;
  json::array accesses;
  for (const auto& g : v.grants) accesses.push_back(ServiceTokenAccessJson(g));
  json::object o{
      {"id", t.id},
      {"type", "ServiceToken"},
      {"name", t.name ? json::value(*t.name) : json::value(nullptr)},
      {"display_name", t.name.value_or(t.id)},
      {"avatar_url", ""},
      {"created_at", FormatTime(t.created_at)},
      {"updated_at", FormatTime(t.updated_at)},
      {"expires_at", TimeOrNull(t.expires_at)},
      {"last_used_at", TimeOrNull(t.last_used_at)},
      {"actor_id", t.created_by.id},
      {"actor_display_name", t.created_by.display_name},
      {"actor_type", ActorTypeName(t.created_by.type)},
      {"service_token_accesses", std::move(accesses)},
  };
  if (v.secret) {
    o["token"] = *v.secret;
    o["plain_text_refresh_token"] = nullptr;
  }
  return o;
}

json::array ServiceTokenGrantsJson(const std::vector<GrantView>& grants) {
  // Group by resource, keeping first-seen order.
  std::vector<std::string> order;
  std::map<std::string, json::object> by_resource;
  for (const auto& g : grants) {
    std::string key = std::string(ResourceTypeName(g.grant.resource_type)) + "/" + g.grant.resource_id;
    auto it = by_resource.find(key);
    if (it == by_resource.end()) {
      order.push_back(key);
      it = by_resource
               .emplace(key, json::object{{"id", g.grant.resource_id},
                                          {"type", "ServiceTokenGrant"},
                                          {"resource_name", g.resource_name},
                                          {"resource_type", ResourceTypeName(g.grant.resource_type)},
                                          {"resource_id", g.grant.resource_id},
                                          {"accesses", json::array{}}})
               .first;
    }
    auto access = ParseAccess(g.grant.access);
    it->second["accesses"].as_array().push_back(
        json::object{{"access", g.grant.access},
                     {"description", access ? std::string(Info(*access).description) : ""}});
  }
  json::array out;
  for (const auto& k : order) {
    // Within a resource, list accesses in catalog order.
    json::array& acc = by_resource[k]["accesses"].as_array();
    std::sort(acc.begin(), acc.end(), [](const json::value& a, const json::value& b) {
      auto ia = ParseAccess(a.as_object().at("access").as_string());
      auto ib = ParseAccess(b.as_object().at("access").as_string());
      return (ia ? static_cast<int>(*ia) : 999) < (ib ? static_cast<int>(*ib) : 999);
    });
    out.push_back(std::move(by_resource[k]));
  }
  return out;
}

json::object AuditEventJson(const AuditEvent& e) {
  auto or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  boost::system::error_code ec;
  json::value metadata = json::parse(e.metadata_json, ec);
  if (ec || !metadata.is_object()) metadata = json::object{};
  // "service_token.created" -> "created"
  std::string verb = e.action.substr(e.action.find('.') == std::string::npos ? 0 : e.action.find('.') + 1);
  return {
      {"id", e.id},
      {"type", "AuditLogEvent"},
      {"actor_id", or_null(e.actor.id)},
      {"actor_type", ActorTypeName(e.actor.type)},
      {"actor_display_name", e.actor.display_name},
      {"auditable_id", or_null(e.auditable_id)},
      {"auditable_type", or_null(e.auditable_type)},
      {"auditable_display_name", e.auditable_display_name},
      {"audit_action", e.action},
      {"action", verb},
      {"location", nullptr},
      {"remote_ip", or_null(e.remote_ip)},
      {"target_id", or_null(e.target_id)},
      {"target_type", or_null(e.target_type)},
      {"target_display_name", or_null(e.target_display_name)},
      {"metadata", std::move(metadata)},
      {"created_at", FormatTime(e.created_at)},
      {"updated_at", FormatTime(e.created_at)},
  };
}

}  // namespace opscale::api
