/* direct_cgroup.h — the cgroup side of a direct run: which cgroup.procs
 * files a process must join to be in a container's cgroups (v1 and v2,
 * through our own mounts), whether the container is frozen (`docker
 * pause`).
 * Owns: mapping /proc/PID/cgroup lines to files through a mountinfo text
 * (pure: direct_cgroup_dir, direct_cgroup_files), reading freezer files.
 * Does not own: joining (direct_enter.c), reading the texts (direct_ctx.c).
 * Context: any process that gathers or reuses a context (a worker, the exec
 * CLI), before it forks the run. */
#ifndef CONTRAINER_DIRECT_CGROUP_H
#define CONTRAINER_DIRECT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

/* The directory of the cgroup PATH in the hierarchy named by CTRLS
 * ("memory", "cpu,cpuacct", "name=systemd", "" for cgroup2), as mounted in
 * mountinfo text MI: mount point + (PATH minus the mount's root) into RET.
 * 0 or -ENOENT (not mounted here, or PATH outside the mount's root). */
int direct_cgroup_dir(const char *mi, const char *ctrls, const char *path, char *ret,
                      size_t retsz);

/* From CGROUP, the text of /proc/PID/cgroup, and MI: *RET_PROCS gets the
 * cgroup.procs file of every hierarchy, *RET_FREEZER the files that say
 * whether it is frozen (v1 freezer.state, v2 cgroup.freeze); both are
 * appended to (strv).  0; -EOPNOTSUPP with WHY when a hierarchy is not
 * mounted here; -ENOMEM. */
int direct_cgroup_files(const char *cgroup, const char *mi, char ***ret_procs,
                        char ***ret_freezer, char *why, size_t whysz);

/* Are the cgroups with these FREEZER files frozen (or freezing)?  A file
 * that cannot be read counts as frozen; a missing cgroup.freeze (the v2
 * root has none) does not. */
bool direct_cgroup_frozen(char *const *freezer);

#endif
