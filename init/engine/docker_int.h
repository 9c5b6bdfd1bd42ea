/* docker_int.h — what docker.c shares with dexec.c (the exec life cycle,
 * split out of it): a JSON GET and libcurl's error mapping.
 * Context: as docker.h.  Not a public API. */
#ifndef CONTRAINER_DOCKER_INT_H
#define CONTRAINER_DOCKER_INT_H

struct docker;
struct cJSON;

/* GET PATH with a total TIMEOUT_S and parse the JSON answer (status 200
 * only; *RET: a cJSON tree the caller deletes).  0, -ENOENT (404), -EPROTO,
 * -errno. */
int docker_get_json(struct docker *d, const char *path, long timeout_s, long *ret_status,
                    struct cJSON **ret);

/* A CURLcode → -errno. */
int docker_curl_errno(int code);

#endif
