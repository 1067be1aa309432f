// GET .../branches/{branch}/connect?password_id=ID with "Upgrade:
// opscale-tunnel": the server side of `opscale connect`. After the checks,
// the HTTP connection becomes a byte pipe to the branch's MariaDB.
#include "api/handler_context.h"
#include "api/tunnel_host.h"
#include "common/text.h"
#include "service/connect.h"
#include "tunnel/server_tunnel.h"

namespace opscale::api {

RouteHandler ConnectRoute(TunnelHost* host) {
  return [host](Call& c) -> Result<Response> {
    if (AsciiLower(c.req.Header("upgrade")) != tunnel::kTunnelProtocol)
      return Status::InvalidArgument(std::string("connect needs the headers 'Connection: Upgrade' "
                                                 "and 'Upgrade: ") + tunnel::kTunnelProtocol + "'");
    ConnectService connect(&c.platform.core());
    OPSCALE_ASSIGN_OR_RETURN(ConnectTarget t,
                             connect.Authorize(c.ctx, c.Param("org"), c.Param("db"),
                                               c.Param("branch"), c.req.QueryParam("password_id")));
    OPSCALE_ASSIGN_OR_RETURN(int upstream, tunnel::OpenUpstream(t.engine_host, t.engine_port));
    tunnel::TunnelInfo info;
    info.principal_id = c.ctx.principal.id;
    info.org_id = t.org_id;
    info.database_id = t.database_id;
    info.branch_name = t.branch_name;
    info.engine_username = t.engine_username;
    info.remote_ip = c.ctx.remote_ip;
    Principal principal = c.ctx.principal;
    Platform* platform = &c.platform;
    Response r;
    r.status = 101;
    r.content_type.clear();
    r.headers.emplace_back("Upgrade", tunnel::kTunnelProtocol);
    r.upgrade = [host, upstream, info, principal, platform](int fd, std::string already_read) {
      host->Spawn([=, already_read = std::move(already_read)]() mutable {
        ConnectService check(&platform->core());
        tunnel::RunServerTunnel(fd, std::move(already_read), upstream, host->registry(), info,
                                [&] { return check.StillValid(principal); });
      });
    };
    return r;
  };
}

}  // namespace opscale::api
