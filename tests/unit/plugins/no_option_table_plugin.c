/* A plug-in whose descriptor declares three options and gives no table for
 * them (options NULL): newsflow must refuse it, not read through NULL. */
#include <newsflow/plugin_abi.h>

static void* Create(const char* settings, size_t len, char* error, size_t error_len) {
  (void)settings, (void)len, (void)error, (void)error_len;
  return 0;
}
static int Process(void* instance, const char* record, size_t len, struct newsflow_result_v1* r) {
  (void)instance, (void)record, (void)len, (void)r;
  return 1;
}
static void Destroy(void* instance) { (void)instance; }

static const struct newsflow_plugin_v1 kPlugin = {
    NEWSFLOW_PLUGIN_ABI_VERSION, sizeof(struct newsflow_plugin_v1), "no_option_table",
    "options missing", 0, 3, Create, Process, Destroy};

__attribute__((visibility("default"))) const struct newsflow_plugin_v1* newsflow_plugin(void) {
  return &kPlugin;
}
