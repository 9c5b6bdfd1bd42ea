/* inspect.h — a container's inspect JSON (GET /containers/{id}/json) → the
 * few facts the controller needs: identity, state, and what makes a
 * container as good as the host (docs/watch.md "Policy").
 * Owns: the parse and the host-equivalence rules.  Does not own: the HTTP
 * request (docker.c), the policy that uses the result (policy.c).
 * Pure (no I/O, no globals, no logging; fuzzed), except that
 * inspect_traits_line reads uname(2).  Any context. */
#ifndef CONTRAINER_INSPECT_H
#define CONTRAINER_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "traits.h"

#define INSPECT_JSON_MAX (4u << 20)
/* Local volumes of one container whose driver options are checked
 * (inspect_volume_apply); a container with more counts as host-equivalent
 * ("a volume could not be checked"). */
#define INSPECT_VOLUMES_MAX 16
/* The largest GET /volumes/NAME answer read. */
#define INSPECT_VOLUME_JSON_MAX (64u << 10)

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
        bool binds_runtime;   /* a bind of another runtime's socket or state (containerd, podman, CRI-O) */
        bool binds_system;    /* a bind of a host system path (/etc, /root, /dev, /proc, /sys, /boot, modules, /var/lib/docker…) */
        bool devices;         /* HostConfig.Devices or DeviceCgroupRules not empty */
        bool cgroup_host_rw;  /* CgroupnsMode "host" and a writable mount at or below /sys/fs/cgroup */
        bool unmasked_paths;  /* SecurityOpt systempaths=unconfined */
        bool volume_device;   /* a local volume mounts a host device (inspect_volume_apply) */
        bool volume_unchecked;/* more than INSPECT_VOLUMES_MAX local volumes, or one's options unreadable */
        unsigned nvolumes;    /* local volumes to check: their names */
        char volumes[INSPECT_VOLUMES_MAX][256];
        bool label_shadows;   /* Config.Labels sets execID: Docker copies it over exec events' attributes */
};

/* Parse LEN bytes of inspect JSON.  SOCK_PATH (may be NULL) is the Engine
 * socket the controller uses: a bind mount of it, or of a folder holding it,
 * counts as a bind of the Docker socket.  0 and *RET filled, -EPROTO (not an
 * inspect answer: no Id, over-long strings), -ENOMEM. */
int inspect_parse(const char *json, size_t len, const char *sock_path, struct docker_inspect *ret);

/* Apply the answer to GET /volumes/NAME (LEN bytes of JSON) for one of
 * IN->volumes to IN: a local volume whose options bind a host path counts
 * as that bind (the rules of a bind mount), one that mounts a /dev/ device
 * sets volume_device, and an unreadable answer sets volume_unchecked (fail
 * closed).  SOCK_PATH as for inspect_parse.  Pure; any context. */
void inspect_volume_apply(const char *json, size_t len, const char *sock_path,
                          struct docker_inspect *in);

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

/* The TRAIT_* bits (traits.h) of IN; OWN_HOSTNAME is the controller's host
 * name (TRAIT_SELFLIKE: the container cannot be told apart from the
 * controller by its host name). */
unsigned inspect_traits(const struct docker_inspect *in, const char *own_hostname);

/* "TRAITS REASON" for a collection record (CR_TRAITS): inspect_traits with
 * uname(2)'s node name, then inspect_host_equivalent's reason or "-". */
void inspect_traits_line(const struct docker_inspect *in, char *dst, size_t dstsz);

#endif
