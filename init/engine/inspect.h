/* inspect.h — a container's inspect JSON (GET /containers/{id}/json) → the
 * few facts the controller needs: identity, state, and what makes a
 * container as good as the host (SPEC §2.4 "Host-equivalent containers").
 * Owns: the parse and the host-equivalence rules.  Does not own: the HTTP
 * request (docker.c), the policy that uses the result (policy.c).
 * Pure (no I/O, no globals, no logging; fuzzed), except that
 * inspect_traits_line reads uname(2).  Any context. */
#ifndef CONTRAINER_INSPECT_H
#define CONTRAINER_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSPECT_JSON_MAX (4u << 20)

struct docker_inspect {
        char id[80];
        char name[256];       /* without the leading '/' */
        bool running;
        bool paused;
        uint64_t started_ns;  /* State.StartedAt, 0 if unknown (docker.c fills it) */
        char started_at[64];  /* State.StartedAt as the Engine wrote it, "" if absent */
        char hostname[256];   /* Config.Hostname */
        /* HostConfig and Mounts: */
        bool privileged;      /* Privileged */
        bool host_pid;        /* PidMode "host" */
        bool host_ipc;        /* IpcMode "host" */
        bool host_userns;     /* UsernsMode "host" */
        bool host_uts;        /* UTSMode "host" */
        bool cap_admin;       /* CapAdd holds SYS_ADMIN, ALL, SYS_MODULE, SYS_RAWIO or DAC_READ_SEARCH */
        bool binds_socket;    /* a bind mount of a docker.sock, of the controller's socket or a folder above it */
        bool binds_root;      /* a bind mount of the host's "/" */
        bool label_shadows;   /* Config.Labels sets execID: Docker copies it over exec events' attributes */
};

/* Parse LEN bytes of inspect JSON.  SOCK_PATH (may be NULL) is the Engine
 * socket the controller uses: a bind mount of it, or of a folder holding it,
 * counts as a bind of the Docker socket.  0 and *RET filled, -EPROTO (not an
 * inspect answer: no Id, over-long strings), -ENOMEM. */
int inspect_parse(const char *json, size_t len, const char *sock_path, struct docker_inspect *ret);

/* The facts bodies get of a container (docs/events.md "Environment") and
 * its end, from the same inspect JSON: Config.Image, Config.Labels (string
 * values only), and, once it stopped, State.ExitCode and FinishedAt. */
struct inspect_facts {
        char *image;            /* Config.Image, or NULL */
        char **keys, **values;  /* Config.Labels, N_LABELS of each (owned) */
        size_t n_labels;
        bool has_exit_code;     /* not running: State.ExitCode */
        int exit_code;
        char finished_at[64];   /* State.FinishedAt as written, "" if absent */
};

/* Parse LEN bytes of inspect JSON into *RET (free with inspect_facts_free).
 * 0, -EPROTO (not an object), -ENOMEM. */
int inspect_facts_parse(const char *json, size_t len, struct inspect_facts *ret);
void inspect_facts_free(struct inspect_facts *f);

/* Why IN is as good as the host ("privileged", "host PID namespace", …),
 * or NULL when it is not. */
const char *inspect_host_equivalent(const struct docker_inspect *in);

/* The TRAIT_* bits (target.h) of IN; OWN_HOSTNAME is the controller's host
 * name (TRAIT_SELFLIKE: the container cannot be told apart from the
 * controller by its host name). */
unsigned inspect_traits(const struct docker_inspect *in, const char *own_hostname);

/* "TRAITS REASON" for a collection record (CR_TRAITS): inspect_traits with
 * uname(2)'s node name, then inspect_host_equivalent's reason or "-". */
void inspect_traits_line(const struct docker_inspect *in, char *dst, size_t dstsz);

#endif
