#include "service/external_change_watch.h"

#include "service/core.h"

namespace opscale {

ExternalChangeWatch::ExternalChangeWatch(ServiceCore* core, std::chrono::milliseconds interval)
    : periodic_(interval, [core] {
        // The fail-closed probe first (store_health.h): a store that came
        // back is read again in full, since what it holds is not known.
        bool healed = false;
        if (!core->health().Probe(&healed)) return;
        if (healed) {
          Status reloaded = core->ReloadIndex();
          if (!reloaded.ok()) core->health().MarkUnhealthy(reloaded);
          return;
        }
        (void)core->RefreshIfChangedExternally();
      }) {}

}  // namespace opscale
