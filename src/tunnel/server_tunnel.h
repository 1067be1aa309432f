// The server side of `connect`: after the API has authenticated and
// authorized a tunnel request and switched the HTTP connection to the
// "opscale-tunnel" protocol, the client socket is joined to a TCP
// connection to the branch's MariaDB and the bytes flow unchanged both
// ways (the CLI runs the MySQL handshake through it).
//
// Thread-safety: free functions; RunServerTunnel blocks its calling thread
// for the tunnel's whole life (one thread per tunnel).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/status.h"
#include "tunnel/relay.h"
#include "tunnel/tunnel_registry.h"

namespace opscale::tunnel {

// The Upgrade protocol name the CLI asks for and the server answers with.
inline constexpr const char* kTunnelProtocol = "opscale-tunnel";

// Opens a TCP connection to host:port (numeric or a name; the first address
// that answers wins) within `timeout`. Returns a blocking socket with
// TCP_NODELAY and keep-alive set, owned by the caller.
// Unavailable("cannot reach the database engine at HOST:PORT: reason").
Result<int> OpenUpstream(const std::string& host, int port,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Registers the tunnel, relays between `client_fd` (with `already_read`,
// bytes the client sent past its upgrade request, forwarded first) and
// `upstream_fd` until either side closes or the registry severs it, then
// unregisters and closes both descriptors (always, also when client_fd is
// -1, which ends at once). `still_allowed`, when set, is asked once right
// after registering: a revocation that raced the handshake (authorized,
// then revoked before Register) is caught there; false closes at once.
RelayResult RunServerTunnel(int client_fd, std::string already_read, int upstream_fd,
                            TunnelRegistry& registry, TunnelInfo info,
                            const std::function<bool()>& still_allowed = {});

}  // namespace opscale::tunnel
