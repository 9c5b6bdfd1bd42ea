/* dl.h — loads libcurl and cJSON (watch, status and exec modes),
 * libmicrohttpd (watch mode's status server) and libcap (exec mode only)
 * at run time.
 * Owns: the dlopen handles and the table of resolved symbols.  dl.c defines
 * every curl_* and cJSON_* function the program calls as a thin wrapper
 * around the symbol it resolved, so the rest of the code includes the real
 * <curl/curl.h> and <cjson/cJSON.h> and calls them as usual.
 * Why: linking libcurl pulls in ~30 libraries and costs ~4 ms of start-up
 * (measured: docs/benchmarks.md), more than tini's whole overhead; init
 * mode must cost nothing for the controller it does not run.
 * Does not own: when to load (each mode's entry calls dl_load*), what the
 * libraries are used for (the Engine client, events, the status server).
 * Context: main loop, once, before any curl_* / cJSON_* call.  Tests and
 * fuzzers link the real libraries instead of dl.o. */
#ifndef CONTRAINER_DL_H
#define CONTRAINER_DL_H

#include <stddef.h>

/* Load libcurl.so.4 and libcjson.so.1 and resolve every wrapped symbol.
 * Returns 0, or -ENOENT with a description in ERR (dlerror's text). */
int dl_load(char *err, size_t errsz);

/* Load libmicrohttpd.so.12 and resolve the MHD_* symbols status_server.c
 * uses.  Same returns as dl_load. */
int dl_load_httpd(char *err, size_t errsz);

/* `contrainer exec` only: dl_load, plus libcap.so.2 (capability sets as
 * runc applies them).  Init and watch modes never load libcap.
 * Same returns as dl_load. */
int dl_load_exec(char *err, size_t errsz);

#endif
