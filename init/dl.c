/* dl.c — run-time loading of libcurl, cJSON and libmicrohttpd for watch
 * mode.  See dl.h.
 *
 * Each wrapped function is listed once in CURL_FUNCS / CJSON_FUNCS; a
 * wrapper with the library's own prototype forwards to the resolved pointer.
 * A call to a function missing from these lists fails at link time of
 * build/contrainer ("undefined reference"): add it here.  The variadic
 * setopt/getinfo calls forward their single argument by the option's type,
 * exactly as libcurl itself reads it (curl.h: CURLOPTTYPE_*, CURLINFO_*). */
#define CURL_DISABLE_TYPECHECK 1
#include "dl.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sys/capability.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>

/* X(ret, name, params, args) */
#define CURL_FUNCS(X) \
        X(CURLcode, curl_global_init, (long flags), (flags)) \
        X(void, curl_global_cleanup, (void), ()) \
        X(CURL *, curl_easy_init, (void), ()) \
        X(CURLcode, curl_easy_perform, (CURL *h), (h)) \
        X(void, curl_easy_cleanup, (CURL *h), (h)) \
        X(void, curl_easy_reset, (CURL *h), (h)) \
        X(const char *, curl_easy_strerror, (CURLcode c), (c)) \
        X(CURLcode, curl_easy_pause, (CURL *h, int mask), (h, mask)) \
        X(char *, curl_easy_escape, (CURL *h, const char *s, int n), (h, s, n)) \
        X(void, curl_free, (void *p), (p)) \
        X(char *, curl_version, (void), ()) \
        X(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s)) \
        X(void, curl_slist_free_all, (struct curl_slist *l), (l)) \
        X(CURLM *, curl_multi_init, (void), ()) \
        X(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h)) \
        X(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h)) \
        X(CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running)) \
        X(CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd f[], unsigned int n, int ms, int *nfds), (m, f, n, ms, nfds)) \
        X(CURLMcode, curl_multi_wait, (CURLM *m, struct curl_waitfd f[], unsigned int n, int ms, int *nfds), (m, f, n, ms, nfds)) \
        X(CURLMcode, curl_multi_wakeup, (CURLM *m), (m)) \
        X(CURLMcode, curl_multi_fdset, (CURLM *m, fd_set *r, fd_set *w, fd_set *e, int *max), (m, r, w, e, max)) \
        X(CURLMcode, curl_multi_timeout, (CURLM *m, long *ms), (m, ms)) \
        X(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left)) \
        X(CURLMcode, curl_multi_cleanup, (CURLM *m), (m)) \
        X(const char *, curl_multi_strerror, (CURLMcode c), (c))

#define CJSON_FUNCS(X) \
        X(cJSON *, cJSON_Parse, (const char *v), (v)) \
        X(cJSON *, cJSON_ParseWithLength, (const char *v, size_t n), (v, n)) \
        X(cJSON *, cJSON_ParseWithOpts, (const char *v, const char **end, cJSON_bool nul), (v, end, nul)) \
        X(cJSON *, cJSON_ParseWithLengthOpts, (const char *v, size_t n, const char **end, cJSON_bool nul), (v, n, end, nul)) \
        X(char *, cJSON_Print, (const cJSON *i), (i)) \
        X(char *, cJSON_PrintUnformatted, (const cJSON *i), (i)) \
        X(void, cJSON_Delete, (cJSON *i), (i)) \
        X(int, cJSON_GetArraySize, (const cJSON *a), (a)) \
        X(cJSON *, cJSON_GetArrayItem, (const cJSON *a, int i), (a, i)) \
        X(cJSON *, cJSON_GetObjectItem, (const cJSON *const o, const char *const k), (o, k)) \
        X(cJSON *, cJSON_GetObjectItemCaseSensitive, (const cJSON *const o, const char *const k), (o, k)) \
        X(cJSON_bool, cJSON_HasObjectItem, (const cJSON *o, const char *k), (o, k)) \
        X(const char *, cJSON_GetErrorPtr, (void), ()) \
        X(char *, cJSON_GetStringValue, (const cJSON *const i), (i)) \
        X(double, cJSON_GetNumberValue, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsInvalid, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsFalse, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsTrue, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsBool, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsNull, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsNumber, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsString, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsArray, (const cJSON *const i), (i)) \
        X(cJSON_bool, cJSON_IsObject, (const cJSON *const i), (i)) \
        X(cJSON *, cJSON_CreateNull, (void), ()) \
        X(cJSON *, cJSON_CreateTrue, (void), ()) \
        X(cJSON *, cJSON_CreateFalse, (void), ()) \
        X(cJSON *, cJSON_CreateBool, (cJSON_bool b), (b)) \
        X(cJSON *, cJSON_CreateNumber, (double n), (n)) \
        X(cJSON *, cJSON_CreateString, (const char *s), (s)) \
        X(cJSON *, cJSON_CreateArray, (void), ()) \
        X(cJSON *, cJSON_CreateObject, (void), ()) \
        X(cJSON *, cJSON_CreateStringArray, (const char *const *s, int n), (s, n)) \
        X(cJSON_bool, cJSON_AddItemToArray, (cJSON *a, cJSON *i), (a, i)) \
        X(cJSON_bool, cJSON_AddItemToObject, (cJSON *o, const char *k, cJSON *i), (o, k, i)) \
        X(cJSON *, cJSON_AddNullToObject, (cJSON *const o, const char *const k), (o, k)) \
        X(cJSON *, cJSON_AddTrueToObject, (cJSON *const o, const char *const k), (o, k)) \
        X(cJSON *, cJSON_AddFalseToObject, (cJSON *const o, const char *const k), (o, k)) \
        X(cJSON *, cJSON_AddBoolToObject, (cJSON *const o, const char *const k, const cJSON_bool b), (o, k, b)) \
        X(cJSON *, cJSON_AddNumberToObject, (cJSON *const o, const char *const k, const double n), (o, k, n)) \
        X(cJSON *, cJSON_AddStringToObject, (cJSON *const o, const char *const k, const char *const s), (o, k, s)) \
        X(cJSON *, cJSON_AddObjectToObject, (cJSON *const o, const char *const k), (o, k)) \
        X(cJSON *, cJSON_AddArrayToObject, (cJSON *const o, const char *const k), (o, k)) \
        X(void, cJSON_DeleteItemFromObject, (cJSON *o, const char *k), (o, k)) \
        X(void *, cJSON_malloc, (size_t n), (n)) \
        X(void, cJSON_free, (void *p), (p))

/* The status server's (status_server.c); loaded by dl_load_httpd only. */
#define MHD_FUNCS(X) \
        X(void, MHD_stop_daemon, (struct MHD_Daemon *d), (d)) \
        X(enum MHD_Result, MHD_run, (struct MHD_Daemon *d), (d)) \
        X(enum MHD_Result, MHD_get_timeout, (struct MHD_Daemon *d, MHD_UNSIGNED_LONG_LONG *t), (d, t)) \
        X(struct MHD_Response *, MHD_create_response_from_buffer, (size_t n, void *b, enum MHD_ResponseMemoryMode m), (n, b, m)) \
        X(enum MHD_Result, MHD_add_response_header, (struct MHD_Response *r, const char *h, const char *v), (r, h, v)) \
        X(enum MHD_Result, MHD_queue_response, (struct MHD_Connection *c, unsigned int code, struct MHD_Response *r), (c, code, r)) \
        X(void, MHD_destroy_response, (struct MHD_Response *r), (r))

/* libcap, for `contrainer exec` only (dl_load_exec): capability sets as
 * runc applies them (libcontainer/capabilities). */
#define CAP_FUNCS(X) \
        X(cap_t, cap_init, (void), ()) \
        X(int, cap_free, (void *p), (p)) \
        X(int, cap_set_flag, (cap_t c, cap_flag_t f, int n, const cap_value_t *v, cap_flag_value_t s), (c, f, n, v, s)) \
        X(int, cap_set_proc, (cap_t c), (c)) \
        X(int, cap_drop_bound, (cap_value_t v), (v)) \
        X(int, cap_set_ambient, (cap_value_t v, cap_flag_value_t s), (v, s)) \
        X(int, cap_reset_ambient, (void), ()) \
        X(int, cap_from_name, (const char *n, cap_value_t *v), (n, v)) \
        X(cap_value_t, cap_max_bits, (void), ())

#define DECLARE_PTR(ret, name, params, args) static ret(*p_##name) params;
CURL_FUNCS(DECLARE_PTR)
CJSON_FUNCS(DECLARE_PTR)
MHD_FUNCS(DECLARE_PTR)
static struct MHD_Daemon *(*p_MHD_start_daemon_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback,
                                                   void *, MHD_AccessHandlerCallback, void *, va_list);
static const union MHD_DaemonInfo *(*p_MHD_get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
CAP_FUNCS(DECLARE_PTR)
static CURLcode (*p_curl_easy_setopt)(CURL *, CURLoption, ...);
static CURLcode (*p_curl_easy_getinfo)(CURL *, CURLINFO, ...);
static CURLMcode (*p_curl_multi_setopt)(CURLM *, CURLMoption, ...);

/* Forwarders.  `return f(args);` is fine for void functions in GNU C only
 * with a warning, so void ones go through the same expression statement. */
#define DEFINE_WRAPPER(ret, name, params, args) \
        ret name params { return (ret)p_##name args; }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
CURL_FUNCS(DEFINE_WRAPPER)
CJSON_FUNCS(DEFINE_WRAPPER)
MHD_FUNCS(DEFINE_WRAPPER)
CAP_FUNCS(DEFINE_WRAPPER)
#pragma GCC diagnostic pop

/* The options list goes on as MHD's own va_list variant reads it. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
        struct MHD_Daemon *d;
        va_list ap;

        va_start(ap, dh_cls);
        d = p_MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
        va_end(ap);
        return d;
}

/* Only infos without an extra argument are asked for (EPOLL_FD). */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d, enum MHD_DaemonInfoType t, ...)
{
        return p_MHD_get_daemon_info(d, t);
}

/* One argument follows; libcurl reads it as long, object pointer, function
 * pointer or curl_off_t by the option's number range (curl.h). */
#define FORWARD_BY_OPTTYPE(fn, h, opt)                                          \
        do {                                                                    \
                va_list ap;                                                     \
                va_start(ap, opt);                                              \
                if ((long)(opt) < CURLOPTTYPE_OBJECTPOINT) {                    \
                        long v = va_arg(ap, long);                              \
                        va_end(ap);                                             \
                        return fn(h, opt, v);                                   \
                } else if ((long)(opt) < CURLOPTTYPE_FUNCTIONPOINT) {           \
                        void *v = va_arg(ap, void *);                           \
                        va_end(ap);                                             \
                        return fn(h, opt, v);                                   \
                } else if ((long)(opt) < CURLOPTTYPE_OFF_T) {                   \
                        void (*v)(void) = va_arg(ap, void (*)(void));           \
                        va_end(ap);                                             \
                        return fn(h, opt, v);                                   \
                } else if ((long)(opt) < CURLOPTTYPE_BLOB) {                    \
                        curl_off_t v = va_arg(ap, curl_off_t);                  \
                        va_end(ap);                                             \
                        return fn(h, opt, v);                                   \
                } else {                                                        \
                        void *v = va_arg(ap, void *);                           \
                        va_end(ap);                                             \
                        return fn(h, opt, v);                                   \
                }                                                               \
        } while (0)

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
        FORWARD_BY_OPTTYPE(p_curl_easy_setopt, h, opt);
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
        FORWARD_BY_OPTTYPE(p_curl_multi_setopt, m, opt);
}

/* Every CURLINFO_* takes one pointer to where the result goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
        va_list ap;
        void *v;

        va_start(ap, info);
        v = va_arg(ap, void *);
        va_end(ap);
        return p_curl_easy_getinfo(h, info, v);
}

struct dl_sym {
        const char *name;
        void **slot;
        int lib; /* 0 curl, 1 cJSON, 2 libmicrohttpd, 3 libcap */
};

#define SYM_CURL(ret, name, params, args) { #name, (void **)&p_##name, 0 },
#define SYM_CJSON(ret, name, params, args) { #name, (void **)&p_##name, 1 },
#define SYM_MHD(ret, name, params, args) { #name, (void **)&p_##name, 2 },
#define SYM_CAP(ret, name, params, args) { #name, (void **)&p_##name, 3 },
static const struct dl_sym dl_syms[] = {
        CURL_FUNCS(SYM_CURL)
        CJSON_FUNCS(SYM_CJSON)
        { "curl_easy_setopt", (void **)&p_curl_easy_setopt, 0 },
        { "curl_easy_getinfo", (void **)&p_curl_easy_getinfo, 0 },
        { "curl_multi_setopt", (void **)&p_curl_multi_setopt, 0 },
        MHD_FUNCS(SYM_MHD)
        CAP_FUNCS(SYM_CAP)
        { "MHD_start_daemon_va", (void **)&p_MHD_start_daemon_va, 2 },
        { "MHD_get_daemon_info", (void **)&p_MHD_get_daemon_info, 2 },
};

static const char *const dl_libs[4] = { "libcurl.so.4", "libcjson.so.1", "libmicrohttpd.so.12",
                                        "libcap.so.2" };

/* dlopen the libraries FIRST..LAST and resolve their symbols. */
static int load(int first, int last, char *err, size_t errsz)
{
        void *h[4] = { NULL, NULL, NULL, NULL };

        for (int i = first; i <= last; i++) {
                h[i] = dlopen(dl_libs[i], RTLD_NOW | RTLD_LOCAL);
                if (!h[i]) {
                        snprintf(err, errsz, "cannot load %s: %s", dl_libs[i], dlerror());
                        return -ENOENT;
                }
        }
        for (size_t i = 0; i < sizeof(dl_syms) / sizeof(dl_syms[0]); i++) {
                void *p;

                if (dl_syms[i].lib < first || dl_syms[i].lib > last)
                        continue;
                p = dlsym(h[dl_syms[i].lib], dl_syms[i].name);
                if (!p) {
                        snprintf(err, errsz, "%s: no symbol %s", dl_libs[dl_syms[i].lib],
                                 dl_syms[i].name);
                        return -ENOENT;
                }
                *dl_syms[i].slot = p;
        }
        /* The handles stay open for the life of the process, on purpose. */
        return 0;
}

int dl_load(char *err, size_t errsz)
{
        return load(0, 1, err, errsz);
}

int dl_load_httpd(char *err, size_t errsz)
{
        return load(2, 2, err, errsz);
}

int dl_load_exec(char *err, size_t errsz)
{
        int r = dl_load(err, errsz);

        return r < 0 ? r : load(3, 3, err, errsz);
}
