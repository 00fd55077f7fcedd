#include "app/runner_options.hpp"

#include "app/progress.hpp"
#include "core/stop_signal.hpp"
#include "store/dynamodb_client_factory.hpp"
#include "store/segment_service.hpp"

namespace auric::app {

RunnerOptions runner_options(const Config& config, const Program& program, Direction direction) {
  RunnerOptions ro;
  ro.lease_ttl = config.lock_ttl;
  ro.heartbeat = config.heartbeat;
  ro.wait_timeout = config.wait_timeout;
  ro.config = config.context;
  ro.safety = config.safety;
  ro.make_user_context = program.make_user_context;
  offer_dynamodb_client(ro, make_dynamodb_client_factory(config.store, config.context));
  offer_segment_store(ro, config.store);  // ctx.backfill's segments, in the run's store
  ro.stop_requested = &stop_signal_flag();
  ro.on_event = [direction](const RunEvent& e) { print_run_event(e, direction); };
  return ro;
}

}  // namespace auric::app
