// ExternalChangeWatch: notices commits that another process made to the
// store (`opscaled user create` next to a running server on one SQLite file)
// and reloads ServiceCore's index and metadata cache. It asks the store every
// `interval` (SQLite: a PRAGMA data_version), so such changes to
// organizations, databases and branches show up within one interval while
// reads are served from memory. (A credential unknown to the index is also
// looked for at once: Platform's miss hook. Serving nodes on PostgreSQL also
// tell each other through ClusterSync; there the change counter moves with
// this node's own writes too, so a node under steady writes reloads up to 4
// times a second: a known cost, to be removed by counting own commits.)
//
// Each tick first probes the store for the fail-closed rule
// (store_health.h); a store that came back is reloaded in full.
//
// Thread-safety: construct and destroy from one thread; the work happens on
// its own thread (Periodic), stopped by the destructor.
#pragma once

#include <chrono>

#include "common/periodic.h"

namespace opscale {

class ServiceCore;

class ExternalChangeWatch {
 public:
  ExternalChangeWatch(ServiceCore* core, std::chrono::milliseconds interval);

 private:
  Periodic periodic_;
};

}  // namespace opscale
