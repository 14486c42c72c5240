/* A plug-in built for an ABI version newsflow does not implement. */
#include <newsflow/plugin_abi.h>

static const struct newsflow_plugin_v1 kPlugin = {
    999u, sizeof(struct newsflow_plugin_v1), "from_the_future", "ABI 999", 0, 0, 0, 0, 0};

__attribute__((visibility("default"))) const struct newsflow_plugin_v1* newsflow_plugin(void) {
  return &kPlugin;
}
