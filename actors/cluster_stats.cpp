// File: actors/cluster_stats.cpp
#include "actors/cluster_stats.hpp"

namespace taskmesh {

cluster_stats_actor::behavior_type
cluster_stats(cluster_stats_actor::stateful_pointer<cluster_stats_state> self,
              cluster_stats_config config) {
  self->state.config = std::move(config);
  return {
    [=](get_atom) -> caf::result<cluster_view> {
      auto& st = self->state;
      const auto now = std::chrono::steady_clock::now();
      if (!st.last || now - st.last_read >= st.config.cache) {
        // A failed read keeps the last good one (and tries again next time).
        if (auto fresh = st.config.view()) {
          st.last = std::move(fresh);
          st.last_read = now;
        }
      }
      if (!st.last)
        return caf::make_error(errc::unavailable);
      return *st.last;
    },
    [=](report_atom, stats_share& s) {
      if (self->state.config.share)
        self->state.config.share(std::move(s));
    },
  };
}

} // namespace taskmesh
