/* engine_id.h — which Engine the controller talks to, and where it is
 * (docs/engines.md): the default socket when neither --docker-socket nor
 * DOCKER_HOST names one, the default state dir of a user other than root,
 * and the engine's name and version as its /version answer gives them.
 * Owns: the discovery order and the /version reading.  Does not own: the
 * API version negotiation (docker.c), talking HTTP (docker_http.c).
 * Context: start-up (discovery), and any caller of docker_negotiate. */
#ifndef CONTRAINER_ENGINE_ID_H
#define CONTRAINER_ENGINE_ID_H

#include <stdbool.h>
#include <stddef.h>

#define ENGINE_SOCKET_MAX 108  /* sun_path */

struct engine_id {
        char name[16];        /* "Docker", "Podman", or "" (not known) */
        char version[48];     /* as /version says, sanitised; "" not known */
        char api_max[16];     /* top-level ApiVersion, "" absent or not a version */
        char api_min[16];     /* top-level MinAPIVersion, "" absent or not a version */
};

/* The sockets tried without --docker-socket/DOCKER_HOST, in order (SPEC
 * order: rootful Docker, rootless Docker, rootful Podman, rootless
 * Podman); entries needing XDG_RUNTIME_DIR are left out when ENV has none.
 * Fills up to MAX entries of RET; returns how many.  Pure. */
size_t engine_socket_candidates(char *const *env, char (*ret)[ENGINE_SOCKET_MAX], size_t max);

/* The first candidate that is a unix socket accepting a connection (the
 * first that exists, else the first of all: the usual error then names
 * /var/run/docker.sock) into RET (ENGINE_SOCKET_MAX bytes).  Returns true
 * when one answered. */
bool engine_socket_discover(char *const *env, char *ret);

/* The default state dir of UID: /var/lib/contrainer for root, else
 * $XDG_STATE_HOME/contrainer, else $HOME/.local/state/contrainer.  Into
 * RET (RETSZ).  0, -ENAMETOOLONG, -ENOENT (not root and no HOME).  Pure. */
int engine_state_dir(char *const *env, unsigned uid, char *ret, size_t retsz);

/* Read a /version answer (JSON, LEN bytes): the engine's name and version
 * from Components (an "Engine" or "Podman Engine" entry), else
 * Platform.Name and the top-level Version; a field that is missing, of
 * the wrong type or unprintable stays "".  0, -EINVAL (not a JSON object). */
int engine_id_parse(const char *json, size_t len, struct engine_id *ret);

/* "Docker 26.1.5", "Podman 4.3.1", "an unknown engine" (version unknown
 * is left out).  Into RET (RETSZ). */
void engine_id_describe(const struct engine_id *id, char *ret, size_t retsz);

#endif
