/* envplace.h — where the environment export goes (docs/hardening.md).
 * Owns: the choice between /etc/container_environment*, the runtime
 * directory ($CONTRAINER_RUNTIME_DIR, default /run/contrainer) and nowhere,
 * and the checks that keep the runtime directory ours (never a symlink,
 * never someone else's: it is made 0700 when missing).
 * Does not own: writing the files (envexport.c) or saying anything
 * (init_main.c logs the outcome).  Context: init start-up. */
#ifndef CONTRAINER_ENVPLACE_H
#define CONTRAINER_ENVPLACE_H

#define ENVPLACE_RUNTIME_DEFAULT "/run/contrainer"

enum envplace_kind { ENVPLACE_ETC, ENVPLACE_RUNTIME, ENVPLACE_NOWHERE };

struct envplace {
        enum envplace_kind kind;
        int etc_err;       /* why /etc was not used (-errno), 0 if it was */
        int runtime_err;   /* why the runtime directory was not used, or 0 */
        const char *dir;   /* ".../container_environment"; "" when nowhere */
        const char *sh;    /* dir + ".sh" */
        const char *json;  /* dir + ".json" */
        /* The three, packed one after the other: PID 1 keeps every page it
         * touches, and three path buffers of 4 kB were three pages (its
         * memory is benchmarked against tini).  Not to be copied: the
         * pointers point in here. */
        char buf[3 * 4104];
};

/* The runtime directory: RUNTIME (the variable's value; NULL or "" for the
 * default).  -EINVAL when it is not an absolute path. */
int envplace_runtime_dir(const char *runtime, const char **ret);

/* Choose: ETC_DIR when it (and its parent, for the .sh and .json) can be
 * written, else RUNTIME_DIR/container_environment when RUNTIME_DIR is (or
 * can be made as) a directory of ours that we can write, else nowhere.
 * Returns 0 with *ret filled, or -ELOOP (RUNTIME_DIR is a symlink),
 * -ENOTDIR (not a directory) or -EPERM (owned by another user): the
 * runtime directory is refused and nothing was written. */
int envplace_choose(const char *etc_dir, const char *runtime_dir, struct envplace *ret);

#endif
