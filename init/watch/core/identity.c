/* identity.c — the controller's own container.  See identity.h. */
#include "identity.h"

#include "docker.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Our container id, from the /etc/hostname bind mount's source
 * (".../containers/<64 hex>/hostname"); works for cgroup v1 and v2 alike,
 * unlike the original tool's docker-<id>.scope cgroup line. */
static bool own_container_id(char *dst, size_t dstsz)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096];
        bool found = false;

        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                char root[2048], mnt[2048];
                const char *p;

                if (sscanf(line, "%*s %*s %*s %2047s %2047s", root, mnt) != 2 ||
                    strcmp(mnt, "/etc/hostname") != 0)
                        continue;
                p = strstr(root, "/containers/");
                if (!p)
                        continue;
                p += strlen("/containers/");
                if (strspn(p, "0123456789abcdef") == 64 && p[64] == '/' && dstsz > 64) {
                        memcpy(dst, p, 64);
                        dst[64] = '\0';
                        found = true;
                }
        }
        fclose(f);
        return found;
}

/* Is this process in a container?  The marker files Docker and Podman
 * leave in a container's root. */
static bool in_a_container(void)
{
        return access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
}

void identity_find(struct docker *d, struct identity *ret)
{
        struct docker_inspect in;
        struct utsname u;
        char id[80];
        bool have_id;

        *ret = (struct identity){ .in_container = false };
        if (uname(&u) == 0)
                snprintf(ret->name, sizeof(ret->name), "%s", u.nodename);
        if (!d)
                return;
        have_id = own_container_id(id, sizeof(id));
        if (have_id && docker_inspect(d, id, &in) == 0) {
                snprintf(ret->id, sizeof(ret->id), "%s", in.id);
                snprintf(ret->name, sizeof(ret->name), "%s", in.name);
        }
        ret->in_container = have_id || in_a_container();
}
