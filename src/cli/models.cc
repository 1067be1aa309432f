#include "cli/models.h"

#include <fmt/format.h>

#include "common/clock.h"

namespace opscale::cli {
namespace json = boost::json;

const json::object& AsObject(const json::value& v) {
  static const json::object kEmpty;
  return v.is_object() ? v.get_object() : kEmpty;
}

const json::object& ObjectAt(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->get_object() : kEmpty;
}

std::string StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool BoolAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

int64_t IntAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}

int64_t TimeAt(const json::object& o, std::string_view key) {
  std::string s = StringAt(o, key);
  if (s.empty()) return 0;
  auto t = ParseTime(s);
  return t ? *t : 0;
}

std::vector<json::object> ListItems(const json::value& v) {
  const json::array* items = nullptr;
  if (v.is_array()) {
    items = &v.get_array();
  } else if (v.is_object()) {
    if (const json::value* d = v.get_object().if_contains("data"); d && d->is_array())
      items = &d->get_array();
  }
  std::vector<json::object> out;
  if (items)
    for (const auto& e : *items)
      if (e.is_object()) out.push_back(e.get_object());
  return out;
}

std::string GoTime(std::string_view rfc3339) {
  auto t = ParseTime(rfc3339);
  if (!t) return std::string(rfc3339);
  std::string base = FormatTime(*t);  // ...:SS.mmmZ
  std::string head = base.substr(0, 19);
  std::string frac = base.substr(20, 3);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? head + "Z" : head + "." + frac + "Z";
}

json::object Project(const json::object& src, std::initializer_list<Field> fields) {
  json::object out;
  for (const Field& f : fields) {
    const json::value* v = src.if_contains(f.key);
    bool present = v && !v->is_null();
    switch (f.kind) {
      case FieldKind::kString:
        out[f.key] = present && v->is_string() ? json::value(v->get_string()) : json::value("");
        break;
      case FieldKind::kNullableString:
        out[f.key] = present && v->is_string() ? json::value(v->get_string()) : json::value(nullptr);
        break;
      case FieldKind::kBool: out[f.key] = present && v->is_bool() ? v->get_bool() : false; break;
      case FieldKind::kInt: out[f.key] = IntAt(src, f.key); break;
      case FieldKind::kTime:
        out[f.key] = present && v->is_string() ? json::value(GoTime(v->get_string()))
                                               : json::value("0001-01-01T00:00:00Z");
        break;
      case FieldKind::kNullableTime:
        out[f.key] = present && v->is_string() ? json::value(GoTime(v->get_string())) : json::value(nullptr);
        break;
      case FieldKind::kRaw: out[f.key] = present ? *v : json::value(nullptr); break;
    }
  }
  return out;
}

json::object ServiceTokenJson(const json::object& t, bool with_token_field) {
  json::object out = Project(t, {{"id", FieldKind::kString}, {"type", FieldKind::kString}});
  // The token field is the secret on create and "" elsewhere.
  out["token"] = with_token_field ? json::value(StringAt(t, "token")) : json::value("");
  json::object rest = Project(t, {{"name", FieldKind::kNullableString},
                                  {"created_at", FieldKind::kTime},
                                  {"last_used_at", FieldKind::kNullableTime},
                                  {"expires_at", FieldKind::kNullableTime}});
  for (auto& kv : rest) out[kv.key()] = kv.value();
  return out;
}

json::object ServiceTokenShowJson(const json::object& t) {
  return Project(t, {{"id", FieldKind::kString},
                     {"name", FieldKind::kNullableString},
                     {"created_at", FieldKind::kTime},
                     {"last_used_at", FieldKind::kNullableTime},
                     {"expires_at", FieldKind::kNullableTime}});
}

json::object RegionJson(const json::object& r) {
  return Project(r, {{"slug", FieldKind::kString},
                     {"provider", FieldKind::kString},
                     {"display_name", FieldKind::kString},
                     {"location", FieldKind::kString},
                     {"enabled", FieldKind::kBool},
                     {"current_default", FieldKind::kBool}});
}

json::object DatabaseJson(const json::object& db) {
  json::object out = Project(db, {{"name", FieldKind::kString}, {"notes", FieldKind::kString}});
  out["region"] = RegionJson(ObjectAt(db, "region"));
  json::object rest = Project(db, {{"state", FieldKind::kString},
                                   {"kind", FieldKind::kString},
                                   {"html_url", FieldKind::kString},
                                   {"created_at", FieldKind::kTime},
                                   {"updated_at", FieldKind::kTime}});
  for (auto& kv : rest) out[kv.key()] = kv.value();
  return out;
}

json::object BranchJson(const json::object& b) {
  json::object out = Project(
      b, {{"id", FieldKind::kString}, {"name", FieldKind::kString}, {"parent_branch", FieldKind::kString}});
  out["actor"] = Project(
      ObjectAt(b, "actor"),
      {{"type", FieldKind::kString}, {"id", FieldKind::kString}, {"display_name", FieldKind::kString}});
  out["region"] = RegionJson(ObjectAt(b, "region"));
  json::object rest = Project(b, {{"ready", FieldKind::kBool},
                                  {"production", FieldKind::kBool},
                                  {"html_url", FieldKind::kString},
                                  {"created_at", FieldKind::kTime},
                                  {"updated_at", FieldKind::kTime},
                                  {"safe_migrations", FieldKind::kBool},
                                  {"vtgate_size", FieldKind::kString},
                                  {"vtgate_count", FieldKind::kInt}});
  for (auto& kv : rest) out[kv.key()] = kv.value();
  return out;
}

json::object AuditLogJson(const json::object& e) {
  return Project(e, {{"id", FieldKind::kString},
                     {"type", FieldKind::kString},
                     {"actor_id", FieldKind::kString},
                     {"actor_type", FieldKind::kString},
                     {"actor_display_name", FieldKind::kString},
                     {"auditable_id", FieldKind::kString},
                     {"auditable_type", FieldKind::kString},
                     {"auditable_display_name", FieldKind::kString},
                     {"audit_action", FieldKind::kString},
                     {"action", FieldKind::kString},
                     {"location", FieldKind::kString},
                     {"remote_ip", FieldKind::kString},
                     {"target_id", FieldKind::kString},
                     {"target_type", FieldKind::kString},
                     {"target_display_name", FieldKind::kString},
                     {"metadata", FieldKind::kRaw},
                     {"created_at", FieldKind::kTime},
                     {"updated_at", FieldKind::kTime}});
}

}  // namespace opscale::cli
