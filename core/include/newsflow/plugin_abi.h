/* newsflow plug-in C ABI, version 1: stages in shared objects.
 *
 * A plug-in is a shared object that exports one C function,
 *
 *     const struct newsflow_plugin_v1* newsflow_plugin(void);
 *
 * returning a static descriptor. Records cross the boundary as the JSON bytes
 * of the article envelope (schemas/article.v1.schema.json), so a plug-in built
 * with another compiler, C++ standard library or language works: nothing but
 * plain C types and bytes is shared.
 *
 * Versioning: `abi_version` is the descriptor's first member in every version
 * of this ABI. newsflow reads it before anything else and refuses a plug-in
 * whose version it does not implement, naming both versions. Members are only
 * ever appended; `struct_size` tells newsflow how many the plug-in knows.
 *
 * Threads: newsflow calls one instance from one thread at a time (Open ->
 * process* -> destroy). Different instances may run on different threads at
 * once (`instances:` in a pipeline file), so keep per-record state in the
 * instance, not in globals.
 *
 * Only paths named in a pipeline file are ever loaded (dlopen).
 */
#ifndef NEWSFLOW_PLUGIN_ABI_H_
#define NEWSFLOW_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NEWSFLOW_PLUGIN_ABI_VERSION 1u
#define NEWSFLOW_PLUGIN_ENTRY "newsflow_plugin"

/* Marks the entry point exported when the rest of the plug-in is built with
 * hidden visibility (-fvisibility=hidden, CMake's CXX_VISIBILITY_PRESET
 * hidden, recommended):
 *     extern "C" NEWSFLOW_PLUGIN_EXPORT const struct newsflow_plugin_v1* newsflow_plugin(void);
 * Without it such a build exports nothing and newsflow refuses the file
 * ("does not export newsflow_plugin()"); `nm -D --defined-only lib.so` lists
 * what a file exports. */
#if defined(_WIN32)
#define NEWSFLOW_PLUGIN_EXPORT __declspec(dllexport)
#else
#define NEWSFLOW_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* One setting the stage accepts; checked by newsflow (unknown key, wrong type
 * -> refused at start-up with the pipeline file's line). `type` is one of
 * "string", "int", "double", "bool", "path". `default_value` may be "" (unset). */
struct newsflow_option_v1 {
  const char* key;
  const char* type;
  const char* default_value;
  const char* help;
};

enum newsflow_verdict_v1 {
  NEWSFLOW_FORWARD = 0,      /* send the record on (record/record_len, or unchanged) */
  NEWSFLOW_DROP = 1,         /* filter it out; `reason` is a short, low-cardinality reason */
  NEWSFLOW_DEAD_LETTER = 2,  /* send it to the dead-letter topic with `reason` */
};

/* Filled by process(). Pointers are owned by the plug-in and must stay valid
 * until the next process() or destroy() call on the same instance. */
struct newsflow_result_v1 {
  int verdict;            /* enum newsflow_verdict_v1 */
  const char* record;     /* NEWSFLOW_FORWARD: the new record's JSON; NULL: unchanged */
  size_t record_len;
  const char* reason;     /* NEWSFLOW_DROP / NEWSFLOW_DEAD_LETTER: NUL-terminated */
};

struct newsflow_plugin_v1 {
  uint32_t abi_version; /* NEWSFLOW_PLUGIN_ABI_VERSION; always the first member */
  uint32_t struct_size; /* sizeof(struct newsflow_plugin_v1) as the plug-in was built */
  const char* name;
  const char* description;
  const struct newsflow_option_v1* options;
  size_t option_count;

  /* Creates an instance. `settings_json` is a JSON object of the validated
   * settings, every value a string ({"min_words":"5"}), defaults filled in.
   * On failure returns NULL and writes a NUL-terminated message to `error`. */
  void* (*create)(const char* settings_json, size_t settings_len, char* error, size_t error_len);

  /* Processes one record (`record`: JSON, not NUL-terminated). Returns 0 and
   * fills `result`; a non-zero return dead-letters the record with
   * result->reason (or "plug-in error") as the reason. Must not throw or
   * longjmp across the boundary. */
  int (*process)(void* instance, const char* record, size_t record_len,
                 struct newsflow_result_v1* result);

  void (*destroy)(void* instance);
};

typedef const struct newsflow_plugin_v1* (*newsflow_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NEWSFLOW_PLUGIN_ABI_H_ */
