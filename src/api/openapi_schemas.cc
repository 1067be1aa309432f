// The component schemas of the OpenAPI document (GET /v1/openapi.json): the
// shapes of the JSON bodies that src/api/json_views.cc and the route files
// write and read. Field names follow PlanetScale's published API where the
// endpoint is theirs. openapi_test checks that every schema a RouteDoc names
// is here, and the e2e validator resolves every $ref.
#include "api/openapi_schemas.h"

namespace opscale::api {

std::string_view OpenApiComponentSchemas() {
  return R"json({
  "OpenApiDocument": {
    "type": "object",
    "description": "An OpenAPI 3.0 document"
  },
  "Organization": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "billing_email": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "plan": {"type": "string"},
      "valid_billing_info": {"type": "boolean"},
      "sso": {"type": "boolean"},
      "sso_directory": {"type": "boolean"},
      "single_tenancy": {"type": "boolean"},
      "managed_tenancy": {"type": "boolean"},
      "has_past_due_invoices": {"type": "boolean"},
      "database_count": {"type": "integer"},
      "sso_portal_url": {"type": "string", "nullable": true},
      "features": {"type": "object", "nullable": true},
      "idp_managed_roles": {"type": "boolean"},
      "invoice_budget_amount": {"type": "string", "nullable": true},
      "keyspace_shard_limit": {"type": "integer"},
      "has_card": {"type": "boolean"},
      "payment_info_required": {"type": "boolean"},
      "html_url": {"type": "string"}
    },
    "required": ["id"]
  },
  "Database": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "url": {"type": "string"},
      "branches_url": {"type": "string"},
      "branches_count": {"type": "integer"},
      "open_schema_recommendations_count": {"type": "integer"},
      "development_branches_count": {"type": "integer"},
      "production_branches_count": {"type": "integer"},
      "issues_count": {"type": "integer"},
      "multiple_admins_required_for_deletion": {"type": "boolean"},
      "ready": {"type": "boolean"},
      "at_backup_restore_branches_limit": {"type": "boolean"},
      "at_development_branch_usage_limit": {"type": "boolean"},
      "data_import": {"type": "object", "nullable": true},
      "region": {"$ref": "#/components/schemas/Region"},
      "html_url": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "notes": {"type": "string", "nullable": true},
      "state": {"type": "string"},
      "sharded": {"type": "boolean"},
      "default_branch_shard_count": {"type": "integer"},
      "default_branch_read_only_regions_count": {"type": "integer"},
      "default_branch_table_count": {"type": "integer"},
      "default_branch": {"type": "string"},
      "require_approval_for_deploy": {"type": "boolean"},
      "deletion_protected": {"type": "boolean"},
      "resizing": {"type": "boolean"},
      "resize_queued": {"type": "boolean"},
      "config_changing": {"type": "boolean"},
      "config_change_queued": {"type": "boolean"},
      "allow_data_branching": {"type": "boolean"},
      "foreign_keys_enabled": {"type": "boolean"},
      "automatic_migrations": {"type": "boolean"},
      "restrict_branch_region": {"type": "boolean"},
      "insights_raw_queries": {"type": "boolean"},
      "plan": {"type": "string"},
      "insights_enabled": {"type": "boolean"},
      "production_branch_web_console": {"type": "boolean"},
      "migration_table_name": {"type": "string", "nullable": true},
      "migration_framework": {"type": "string", "nullable": true},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "schema_last_updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "kind": {"type": "string"}
    },
    "required": ["id"]
  },
  "Branch": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "deleted_at": {"type": "string", "format": "date-time", "nullable": true},
      "restore_checklist_completed_at": {"type": "string", "format": "date-time", "nullable": true},
      "schema_last_updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "kind": {"type": "string"},
      "mysql_address": {"type": "string"},
      "mysql_edge_address": {"type": "string"},
      "state": {"type": "string"},
      "direct_vtgate": {"type": "boolean"},
      "vtgate_size": {"type": "string"},
      "vtgate_name": {"type": "string", "nullable": true},
      "vtgate_count": {"type": "integer"},
      "cluster_name": {"type": "string"},
      "ready": {"type": "boolean"},
      "schema_ready": {"type": "boolean"},
      "metal": {"type": "boolean"},
      "production": {"type": "boolean"},
      "safe_migrations": {"type": "boolean"},
      "deletion_protected": {"type": "boolean"},
      "sharded": {"type": "boolean"},
      "shard_count": {"type": "integer"},
      "keyspace_count": {"type": "integer"},
      "stale_schema": {"type": "boolean"},
      "actor": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "restored_from_branch": {"type": "object", "nullable": true},
      "private_edge_connectivity": {"type": "boolean"},
      "has_replicas": {"type": "boolean"},
      "has_read_only_replicas": {"type": "boolean"},
      "html_url": {"type": "string"},
      "url": {"type": "string"},
      "region": {"$ref": "#/components/schemas/Region"},
      "parent_branch": {"type": "string", "nullable": true}
    },
    "required": ["id"]
  },
  "ServiceTokenAccess": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "access": {"type": "string", "description": "An access name from the access catalog"},
      "description": {"type": "string"},
      "resource_name": {"type": "string"},
      "resource_id": {"type": "string"},
      "resource_type": {"type": "string"},
      "resource": {"type": "object", "nullable": true}
    },
    "required": ["id"]
  },
  "ServiceToken": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "display_name": {"type": "string"},
      "avatar_url": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "expires_at": {"type": "string", "format": "date-time", "nullable": true},
      "last_used_at": {"type": "string", "format": "date-time", "nullable": true},
      "actor_id": {"type": "string", "nullable": true},
      "actor_display_name": {"type": "string", "nullable": true},
      "actor_type": {"type": "string", "nullable": true},
      "service_token_accesses": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceTokenAccess"}},
      "token": {"type": "string", "nullable": true},
      "plain_text_refresh_token": {"type": "string", "nullable": true}
    },
    "required": ["id"],
    "description": "A service token. `token` (the secret) is present only in the create response."
  },
  "ServiceTokenGrant": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "resource_name": {"type": "string"},
      "resource_type": {"type": "string"},
      "resource_id": {"type": "string"},
      "accesses": {"type": "array", "items": {"type": "object", "properties": {"access": {"type": "string"}, "description": {"type": "string"}}}}
    },
    "required": ["id"],
    "description": "A service token's accesses on one resource (organization or database)."
  },
  "AuditLog": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "actor_id": {"type": "string", "nullable": true},
      "actor_type": {"type": "string", "nullable": true},
      "actor_display_name": {"type": "string", "nullable": true},
      "auditable_id": {"type": "string"},
      "auditable_type": {"type": "string"},
      "auditable_display_name": {"type": "string"},
      "audit_action": {"type": "string"},
      "action": {"type": "string"},
      "location": {"type": "string"},
      "remote_ip": {"type": "string"},
      "target_id": {"type": "string"},
      "target_type": {"type": "string"},
      "target_display_name": {"type": "string"},
      "metadata": {"type": "object", "nullable": true},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true}
    },
    "required": ["id"]
  },
  "Password": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "display_name": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "role": {"type": "string"},
      "cidrs": {"type": "array", "items": {"type": "string"}, "nullable": true},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "deleted_at": {"type": "string", "format": "date-time", "nullable": true},
      "expires_at": {"type": "string", "format": "date-time", "nullable": true},
      "last_used_at": {"type": "string", "format": "date-time", "nullable": true},
      "expired": {"type": "boolean"},
      "direct_vtgate": {"type": "boolean"},
      "direct_vtgate_addresses": {"type": "array", "items": {"type": "string"}},
      "ttl_seconds": {"type": "integer"},
      "access_host_url": {"type": "string"},
      "access_host_regional_url": {"type": "string"},
      "access_host_regional_urls": {"type": "array", "items": {"type": "string"}},
      "actor": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "region": {"$ref": "#/components/schemas/Region"},
      "username": {"type": "string"},
      "plain_text": {"type": "string", "nullable": true},
      "replica": {"type": "boolean"},
      "renewable": {"type": "boolean"},
      "database_branch": {"type": "object", "nullable": true}
    },
    "required": ["id"],
    "description": "A branch password. `plain_text` (the secret) is present only in the create response."
  },
  "Actor": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "display_name": {"type": "string"},
      "avatar_url": {"type": "string"}
    },
    "required": ["id"]
  },
  "Deployment": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "state": {"type": "string"},
      "deployable": {"type": "boolean"},
      "lint_errors": {"type": "array", "items": {}},
      "deploy_check_errors": {"nullable": true},
      "deploy_request_number": {"type": "integer"},
      "into_branch": {"type": "string"},
      "preceding_deployments": {"type": "array", "items": {}},
      "instant_ddl_eligible": {"type": "boolean"},
      "instant_ddl": {"type": "boolean"},
      "actor": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "started_at": {"type": "string", "format": "date-time", "nullable": true},
      "queued_at": {"type": "string", "format": "date-time", "nullable": true},
      "finished_at": {"type": "string", "format": "date-time", "nullable": true},
      "deployed_at": {"type": "string", "format": "date-time", "nullable": true},
      "deploy_operations": {"type": "array", "items": {"type": "object"}}
    },
    "required": ["id"]
  },
  "DeployRequest": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "number": {"type": "integer"},
      "actor": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "closed_by": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "branch": {"type": "string"},
      "branch_id": {"type": "string"},
      "branch_deleted": {"type": "boolean"},
      "branch_deleted_by": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true},
      "branch_deleted_at": {"type": "string", "format": "date-time", "nullable": true},
      "into_branch": {"type": "string"},
      "into_branch_sharded": {"type": "boolean"},
      "into_branch_shard_count": {"type": "integer"},
      "into_branch_keyspace_count": {"type": "integer"},
      "approved": {"type": "boolean"},
      "state": {"type": "string"},
      "deployment_state": {"type": "string"},
      "deployment": {"allOf": [{"$ref": "#/components/schemas/Deployment"}], "nullable": true},
      "num_comments": {"type": "integer"},
      "html_url": {"type": "string"},
      "notes": {"type": "string", "nullable": true},
      "html_body": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "closed_at": {"type": "string", "format": "date-time", "nullable": true},
      "deployed_at": {"type": "string", "format": "date-time", "nullable": true}
    },
    "required": ["id"]
  },
  "DeployRequestReview": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "body": {"type": "string"},
      "html_body": {"type": "string"},
      "state": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "actor": {"allOf": [{"$ref": "#/components/schemas/Actor"}], "nullable": true}
    },
    "required": ["id"]
  },
  "OAuthApplication": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "redirect_uri": {"type": "string"},
      "domain": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "scopes": {"type": "array", "items": {"type": "string"}},
      "avatar": {"type": "string"},
      "client_id": {"type": "string"},
      "client_secret": {"type": "string", "nullable": true},
      "tokens": {"type": "integer"},
      "dcr": {"type": "boolean"},
      "single_org_authorization": {"type": "boolean"},
      "requires_org_scope": {"type": "boolean"}
    },
    "required": ["id"],
    "description": "An OAuth application. `client_secret` is present only in the create response."
  },
  "OAuthToken": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "display_name": {"type": "string"},
      "avatar_url": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "expires_at": {"type": "string", "format": "date-time", "nullable": true},
      "last_used_at": {"type": "string", "format": "date-time", "nullable": true},
      "actor_id": {"type": "string", "nullable": true},
      "actor_display_name": {"type": "string", "nullable": true},
      "actor_type": {"type": "string", "nullable": true},
      "scopes": {"type": "string"},
      "service_token_accesses": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceTokenAccess"}},
      "token": {"type": "string", "nullable": true},
      "plain_text_refresh_token": {"type": "string", "nullable": true}
    },
    "required": ["id"],
    "description": "An OAuth token, in the ServiceToken shape. `token` and `plain_text_refresh_token` appear only when issued."
  },
  "User": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "display_name": {"type": "string"},
      "name": {"type": "string", "nullable": true},
      "email": {"type": "string"},
      "avatar_url": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "two_factor_auth_configured": {"type": "boolean"}
    },
    "required": ["id"]
  },
  "OrganizationMember": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "type": {"type": "string"},
      "role": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time", "nullable": true},
      "updated_at": {"type": "string", "format": "date-time", "nullable": true},
      "user": {"$ref": "#/components/schemas/User"}
    },
    "required": ["id"]
  },
  "SchemaTable": {
    "type": "object",
    "properties": {
      "name": {"type": "string", "nullable": true},
      "raw": {"type": "string"},
      "html": {"type": "string"}
    }
  },
  "AccessCatalogEntry": {
    "type": "object",
    "properties": {
      "name": {"type": "string", "nullable": true},
      "level": {"type": "string", "enum": ["organization", "database"]},
      "group": {"type": "string"},
      "description": {"type": "string"},
      "grantable": {"type": "boolean"}
    },
    "description": "One access of the catalog; `grantable`: whether the caller may grant it on the scope asked about."
  },
  "OAuthScope": {
    "type": "object",
    "properties": {
      "name": {"type": "string", "nullable": true},
      "description": {"type": "string"},
      "accesses": {"type": "array", "items": {"type": "string"}}
    }
  },
  "Region": {
    "type": "object",
    "properties": {
      "slug": {"type": "string"},
      "display_name": {"type": "string"},
      "provider": {"type": "string"},
      "enabled": {"type": "boolean"},
      "location": {"type": "string"}
    }
  },
  "AddedMember": {
    "allOf": [{"$ref": "#/components/schemas/OrganizationMember"}, {"type": "object", "properties": {"password": {"type": "string", "nullable": true, "description": "A new user's first password (null for an existing user)"}, "api_token": {"type": "string", "description": "An API token for the user, shown once"}}}]
  },
  "Error": {
    "type": "object",
    "properties": {
      "code": {"type": "string", "description": "snake_case error code, e.g. not_found, unauthenticated, permission_denied"},
      "message": {"type": "string"}
    },
    "required": ["code", "message"],
    "description": "The body of every error response."
  },
  "CreateServiceTokenRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "ttl": {"type": "integer", "description": "Seconds until the token expires (default: never)"}
    }
  },
  "ServiceTokenAccessRequest": {
    "type": "object",
    "properties": {
      "database": {"type": "string", "description": "Database name; omit for organization-level accesses"},
      "access": {"type": "array", "items": {"type": "string"}, "description": "Access names from the access catalog (`accesses` is accepted too)"},
      "accesses": {"type": "array", "items": {"type": "string"}}
    }
  },
  "AddMemberRequest": {
    "type": "object",
    "properties": {
      "email": {"type": "string"},
      "role": {"type": "string", "enum": ["admin", "member"]}
    },
    "required": ["email"]
  },
  "CreateDatabaseRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "region": {"type": "string"},
      "cluster_size": {"type": "string", "description": "Accepted and ignored"},
      "kind": {"type": "string", "enum": ["mysql"]}
    },
    "required": ["name"]
  },
  "UpdateDatabaseRequest": {
    "type": "object",
    "properties": {
      "require_approval_for_deploy": {"type": "boolean"},
      "notes": {"type": "string"}
    }
  },
  "CreateBranchRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "parent_branch": {"type": "string", "description": "Default: the database's default branch"},
      "backup_id": {"type": "string", "description": "Not supported yet (422)"}
    },
    "required": ["name"]
  },
  "CreatePasswordRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "role": {"type": "string", "enum": ["reader", "writer", "admin", "readwriter"]},
      "ttl": {"type": "integer", "description": "Seconds until the password expires"},
      "replica": {"type": "boolean", "description": "Only false is supported"},
      "cidrs": {"type": "array", "items": {"type": "string"}, "description": "Not supported yet (422 when not empty)"}
    }
  },
  "UpdatePasswordRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "cidrs": {"type": "array", "items": {"type": "string"}, "description": "Not supported yet"}
    }
  },
  "CreateDeployRequestRequest": {
    "type": "object",
    "properties": {
      "branch": {"type": "string"},
      "into_branch": {"type": "string"},
      "notes": {"type": "string"}
    },
    "required": ["branch", "into_branch"]
  },
  "CloseDeployRequestRequest": {
    "type": "object",
    "properties": {
      "state": {"type": "string", "enum": ["closed"]}
    },
    "required": ["state"]
  },
  "DeployDeployRequestRequest": {
    "type": "object",
    "properties": {
      "instant_ddl": {"type": "boolean"}
    }
  },
  "ReviewDeployRequestRequest": {
    "type": "object",
    "properties": {
      "state": {"type": "string", "enum": ["approved", "commented"], "default": "commented"},
      "body": {"type": "string"}
    }
  },
  "OAuthApplicationRequest": {
    "type": "object",
    "properties": {
      "name": {"type": "string"},
      "redirect_uri": {"type": "string"},
      "scopes": {"type": "array", "items": {"type": "string"}}
    }
  },
  "CreateOAuthTokenRequest": {
    "type": "object",
    "properties": {
      "client_id": {"type": "string"},
      "client_secret": {"type": "string"},
      "grant_type": {"type": "string"},
      "code": {"type": "string"},
      "redirect_uri": {"type": "string"},
      "refresh_token": {"type": "string"},
      "code_verifier": {"type": "string"}
    },
    "required": ["client_id", "client_secret", "grant_type"]
  }
})json";
}

}  // namespace opscale::api
