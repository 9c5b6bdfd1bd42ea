/* fakesock.c — a misbehaving "Engine" on a unix socket, for the engine
 * suites (tests/bats/38-engine-faults.bats):
 *   fakesock garbage SOCK
 *       answers every connection with one line that is not HTTP (an SSH
 *       banner) and closes it; prints "conn" to stdout per connection
 *   fakesock proxy SOCK UPSTREAM CUT_MS LIE
 *       relays every connection to the Engine on UPSTREAM; a live /events
 *       stream (no until=) is cut after CUT_MS (0: never); when LIE is 1,
 *       GET /version (any API version) is answered with a document that
 *       lies (wrong types, no Components, a minimum above the maximum)
 * One process per connection; stops on SIGTERM (its children with it, by
 * their process group).  Test helper: no libraries, no shell. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int unix_addr(const char *path, struct sockaddr_un *a)
{
        memset(a, 0, sizeof(*a));
        a->sun_family = AF_UNIX;
        if (strlen(path) >= sizeof(a->sun_path))
                return -1;
        memcpy(a->sun_path, path, strlen(path) + 1);
        return 0;
}

static int listen_on(const char *path)
{
        struct sockaddr_un a;
        int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (ls < 0 || unix_addr(path, &a) < 0)
                return -1;
        unlink(path);
        if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 64) < 0)
                return -1;
        return ls;
}

static int connect_to(const char *path)
{
        struct sockaddr_un a;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || unix_addr(path, &a) < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

static long now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static const char lie[] =
        "{\"Version\":29,\"ApiVersion\":\"one.four\",\"MinAPIVersion\":\"9.99\","
        "\"Components\":\"Engine\",\"Platform\":{\"Name\":\"\\u001b[31mred\"}}";

/* Relay client C to UPSTREAM (HEAD, N bytes already read from C). */
static void relay(int c, const char *upstream, const char *head, size_t n, long cut_ms, int lying)
{
        char buf[65536], line[512];
        const char *eol = memchr(head, '\n', n);
        size_t ll = eol ? (size_t)(eol - head) : n;
        long deadline = 0;
        int u;

        if (ll >= sizeof(line))
                ll = sizeof(line) - 1;
        memcpy(line, head, ll);
        line[ll] = '\0';
        if (lying && strncmp(line, "GET ", 4) == 0 && strstr(line, "/version ")) {
                int h = snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(lie), lie);
                (void)write_all(c, buf, (size_t)h);
                return;
        }
        if (cut_ms > 0 && strstr(line, "/events") && !strstr(line, "until="))
                deadline = now_ms() + cut_ms;
        u = connect_to(upstream);
        if (u < 0 || write_all(u, head, n) < 0)
                return;
        for (;;) {
                struct pollfd p[2] = { { .fd = c, .events = POLLIN }, { .fd = u, .events = POLLIN } };
                long left = deadline ? deadline - now_ms() : -1;
                int r;

                if (deadline && left <= 0)
                        break;  /* the cut: both sides see EOF */
                r = poll(p, 2, deadline ? (int)left : -1);
                if (r < 0 && errno != EINTR)
                        break;
                for (int i = 0; i < 2 && r > 0; i++) {
                        ssize_t got;

                        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        got = read(p[i].fd, buf, sizeof(buf));
                        if (got <= 0 || write_all(p[1 - i].fd, buf, (size_t)got) < 0)
                                goto out;
                }
        }
out:
        close(u);
}

static void on_term(int sig)
{
        (void)sig;
        kill(0, SIGTERM);
        _exit(0);
}

int main(int argc, char **argv)
{
        int garbage = argc == 3 && strcmp(argv[1], "garbage") == 0;
        int proxy = argc == 6 && strcmp(argv[1], "proxy") == 0;
        long cut_ms = proxy ? atol(argv[4]) : 0;
        int lying = proxy && strcmp(argv[5], "1") == 0, ls;

        if (!garbage && !proxy) {
                fprintf(stderr, "usage: fakesock garbage SOCK | proxy SOCK UPSTREAM CUT_MS LIE\n");
                return 2;
        }
        setpgid(0, 0);
        signal(SIGTERM, on_term);
        signal(SIGPIPE, SIG_IGN);
        signal(SIGCHLD, SIG_IGN);  /* connection children are never waited for */
        ls = listen_on(argv[2]);
        if (ls < 0) {
                perror("fakesock: listen");
                return 1;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (;;) {
                int c = accept(ls, NULL, NULL);
                pid_t p;

                if (c < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("fakesock: accept");
                        return 1;
                }
                if (garbage) {
                        static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
                        printf("conn\n");
                        (void)write_all(c, banner, sizeof(banner) - 1);
                        close(c);
                        continue;
                }
                p = fork();
                if (p == 0) {
                        char head[16384];
                        size_t n = 0;
                        ssize_t r;

                        close(ls);
                        /* the request head (and whatever came with it) */
                        while (n < sizeof(head) && (r = read(c, head + n, sizeof(head) - n)) > 0) {
                                n += (size_t)r;
                                if (memmem(head, n, "\r\n\r\n", 4))
                                        break;
                        }
                        if (n)
                                relay(c, argv[3], head, n, cut_ms, lying);
                        _exit(0);
                }
                close(c);
        }
}
