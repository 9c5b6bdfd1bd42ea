/* listen_fds.c — a socket-activation test helper for tests/bats/15-init-hardening.bats.
 *   listen_fds serve PATH CMD...   listen on the unix socket PATH, put it on fd 3,
 *                                  LISTEN_FDS=1, LISTEN_PID=<own pid>, exec CMD
 *                                  (what systemd-socket-activate does)
 *   listen_fds accept              as COMMAND: check LISTEN_FDS=1 and
 *                                  LISTEN_PID=getpid() (sd_listen_fds(3)), accept
 *                                  one connection on fd 3, write "pid=<pid>\n" to it
 *   listen_fds connect PATH        connect, print what the peer wrote
 * Exit 0 on success, 1 with one line on stderr otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
        fprintf(stderr, "listen_fds: %s: %s\n", what, strerror(errno));
        return 1;
}

static int addr(const char *path, struct sockaddr_un *sa)
{
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(sa->sun_path))
                return -1;
        strcpy(sa->sun_path, path);
        return 0;
}

int main(int argc, char **argv)
{
        struct sockaddr_un sa;
        char buf[64];
        int fd, c;
        ssize_t n;

        if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
                fd = socket(AF_UNIX, SOCK_STREAM, 0);
                if (fd < 0 || addr(argv[2], &sa) < 0 ||
                    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
                        return fail("listen");
                if (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0))
                        return fail("dup2");
                snprintf(buf, sizeof(buf), "%d", (int)getpid());
                setenv("LISTEN_FDS", "1", 1);
                setenv("LISTEN_PID", buf, 1);
                execvp(argv[3], argv + 3);
                return fail("exec");
        }
        if (argc == 2 && strcmp(argv[1], "accept") == 0) {
                const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");

                if (!fds || strcmp(fds, "1") != 0 || !pid || atoi(pid) != (int)getpid()) {
                        fprintf(stderr, "listen_fds: LISTEN_FDS=%s LISTEN_PID=%s, my pid %d\n",
                                fds ? fds : "(unset)", pid ? pid : "(unset)", (int)getpid());
                        return 1;
                }
                c = accept(3, NULL, NULL);
                if (c < 0)
                        return fail("accept on fd 3");
                n = snprintf(buf, sizeof(buf), "pid=%d\n", (int)getpid());
                if (write(c, buf, (size_t)n) != n)
                        return fail("write");
                return 0;
        }
        if (argc == 3 && strcmp(argv[1], "connect") == 0) {
                fd = socket(AF_UNIX, SOCK_STREAM, 0);
                if (fd < 0 || addr(argv[2], &sa) < 0 ||
                    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                        return fail("connect");
                while ((n = read(fd, buf, sizeof(buf))) > 0)
                        fwrite(buf, 1, (size_t)n, stdout);
                return n < 0 ? fail("read") : 0;
        }
        fprintf(stderr, "usage: listen_fds serve PATH CMD... | accept | connect PATH\n");
        return 2;
}
