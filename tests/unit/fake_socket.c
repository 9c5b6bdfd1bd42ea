/* fake_socket.c — a scripted HTTP server on a unix socket.  See
 * fake_socket.h. */
#include "fake_socket.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void serve(int ls, fake_socket_fn fn, void *ud)
{
        for (;;) {
                char req[8192];
                size_t got = 0;
                ssize_t n;
                int c = accept(ls, NULL, NULL);

                if (c < 0)
                        _exit(errno == EINTR ? 0 : 1);
                while (got < sizeof(req) - 1 && (n = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
                        got += (size_t)n;
                        req[got] = '\0';
                        if (strstr(req, "\r\n\r\n"))
                                break;
                }
                req[got] = '\0';
                fn(c, req, ud);
                close(c);
        }
}

pid_t fake_socket_start(const char *path, fake_socket_fn fn, void *ud)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t p;

        cr_assert_geq(ls, 0);
        cr_assert_lt(strlen(path), sizeof(a.sun_path));
        memcpy(a.sun_path, path, strlen(path) + 1);
        unlink(path);
        cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0, "bind %s: %m", path);
        cr_assert_eq(listen(ls, 16), 0);
        p = fork();
        cr_assert_geq(p, 0);
        if (p == 0) {
                signal(SIGPIPE, SIG_IGN);
                alarm(30);
                serve(ls, fn, ud);
        }
        close(ls);
        return p;
}

void fake_socket_stop(pid_t p, const char *path)
{
        int st;

        kill(p, SIGKILL);
        cr_assert_eq(waitpid(p, &st, 0), p);
        unlink(path);
}

void fake_socket_reply(int c, int status, const char *hdrs, const char *body)
{
        char head[1024];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d X\r\n%sContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                         status, hdrs, strlen(body));

        if (n > 0 && write(c, head, (size_t)n) != n)
                return;
        (void)!write(c, body, strlen(body));
}

void fake_socket_target(const char *req, char *ret, size_t retsz)
{
        const char *sp = strchr(req, ' '), *end;
        size_t n;

        ret[0] = '\0';
        if (!sp)
                return;
        end = strchr(sp + 1, ' ');
        n = end ? (size_t)(end - sp - 1) : strlen(sp + 1);
        if (n >= retsz)
                n = retsz - 1;
        memcpy(ret, sp + 1, n);
        ret[n] = '\0';
}
