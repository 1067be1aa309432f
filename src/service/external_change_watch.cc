#include "service/external_change_watch.h"

#include "service/core.h"

namespace opscale {

ExternalChangeWatch::ExternalChangeWatch(ServiceCore* core, std::chrono::milliseconds interval)
    : periodic_(interval, [core] { (void)core->RefreshIfChangedExternally(); }) {}

}  // namespace opscale
