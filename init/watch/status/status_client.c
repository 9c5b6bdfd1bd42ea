/* status_client.c — `contrainer status`.  See status_client.h. */
#include "status_client.h"

#include "buf.h"
#include "dl.h"
#include "engine_id.h"
#include "status_table.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

#define STATUS_ANSWER_MAX (8u << 20)
#define STATUS_TIMEOUT_MS 10000

static const char status_help[] =
        "usage: contrainer status [--state-dir DIR | --status-socket PATH] [--json] [--health]\n"
        "\n"
        "Ask a running `contrainer watch` what it holds and does (contrainer-status(8)).\n"
        "\n"
        "  --state-dir DIR        the controller's --state-dir (/var/lib/contrainer;\n"
        "                         not root: $XDG_STATE_HOME/contrainer, else\n"
        "                         ~/.local/state/contrainer); its socket is DIR/status.sock\n"
        "  --status-socket PATH   the controller's --status-socket instead\n"
        "  --json                 print GET /status as is\n"
        "  --health               exit 0 if GET /healthz says the event stream is\n"
        "                         live, else 1 (for a HEALTHCHECK)\n"
        "  --help                 print this help and exit\n";

/* ---- asking the controller ------------------------------------------------ */

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
        return buf_append(ud, p, sz * n) == 0 ? sz * n : 0;
}

/* The connection to the controller: its socket is made here, and the
 * server's credentials are checked once it is connected, before the
 * request is sent. */
struct peer {
        const char *path;
        int fd;         /* the socket libcurl connects, -1 before */
        char why[200];  /* set when the server is refused */
};

static curl_socket_t open_peer(void *ud, curlsocktype purpose, struct curl_sockaddr *address)
{
        struct peer *p = ud;

        (void)purpose;
        p->fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        return p->fd < 0 ? CURL_SOCKET_BAD : p->fd;
}

/* Accept the server only when the process that listens on the socket runs
 * as root or as our own uid (SO_PEERCRED): anyone else who could put a
 * socket at that path (a folder others can write) could tell root anything
 * (docs/watch.md "Status"). */
static int check_peer(void *ud, char *ip, char *local_ip, int port, int local_port)
{
        struct peer *p = ud;
        struct ucred cred;
        socklen_t cl = sizeof(cred);

        (void)ip;
        (void)local_ip;
        (void)port;
        (void)local_port;
        if (p->fd < 0 || getsockopt(p->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
            cl != sizeof(cred)) {
                snprintf(p->why, sizeof(p->why), "refusing its answer: cannot tell who serves it");
                return CURL_PREREQFUNC_ABORT;
        }
        if (cred.uid != 0 && cred.uid != geteuid()) {
                snprintf(p->why, sizeof(p->why),
                         "refusing its answer: the process serving it runs as uid %u, neither root nor uid %u",
                         (unsigned)cred.uid, (unsigned)geteuid());
                return CURL_PREREQFUNC_ABORT;
        }
        return CURL_PREREQFUNC_OK;
}

/* GET URL_PATH on SOCKET: 0 with *RET_CODE and OUT, or -EIO with ERR. */
static int get(const char *socket, const char *url_path, long *ret_code, struct buf *out,
               char *err, size_t errsz)
{
        CURL *h = curl_easy_init();
        struct peer peer = { .path = socket, .fd = -1 };
        char url[128];
        CURLcode cc;

        if (!h)
                return -ENOMEM;
        snprintf(url, sizeof(url), "http://localhost%s", url_path);
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_peer);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &peer);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, &peer);
        /* libcurl >= 7.80; an older one cannot check: fail closed. */
        if (curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, check_peer) != CURLE_OK) {
                snprintf(err, errsz, "cannot ask the controller at %.300s: this libcurl (older than 7.80) cannot check who serves it",
                         socket);
                curl_easy_cleanup(h);
                return -EIO;
        }
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)STATUS_TIMEOUT_MS);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
        cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
                snprintf(err, errsz, "cannot ask the controller at %.250s: %s", socket,
                         peer.why[0] ? peer.why : curl_easy_strerror(cc));
                curl_easy_cleanup(h);
                return -EIO;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, ret_code);
        curl_easy_cleanup(h);
        return 0;
}

/* The length of the valid UTF-8 sequence at S (N bytes left) and its code
 * point in *CP; 0 when the bytes there are not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
        size_t len = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
        unsigned v;

        if (s[0] >= 0xf5 || !len || len > n)
                return 0;
        v = s[0] & (0x7fu >> len);
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3f);
        }
        if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v < 0xe000))) ||
            (len == 4 && (v < 0x10000 || v > 0x10ffff)))
                return 0;
        *cp = v;
        return len;
}

/* Write the N bytes at S to F with every control character but newline
 * and tab (C0, DEL, C1) and every byte that is not valid UTF-8 as \xNN: an
 * answer never drives the terminal. */
static void put_safe(const char *s, size_t n, FILE *f)
{
        const unsigned char *u = (const unsigned char *)s;

        for (size_t i = 0; i < n;) {
                unsigned cp = 0;
                size_t len;

                if (u[i] < 0x80) {
                        if ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') || u[i] == 0x7f)
                                fprintf(f, "\\x%02x", u[i]);
                        else
                                (void)fputc(u[i], f);
                        i++;
                        continue;
                }
                len = utf8_seq(u + i, n - i, &cp);
                if (len && cp >= 0xa0) {
                        (void)fwrite(u + i, 1, len, f);
                        i += len;
                } else {  /* C1, or not UTF-8: byte by byte */
                        for (size_t k = 0; k < (len ? len : 1); k++)
                                fprintf(f, "\\x%02x", u[i + k]);
                        i += len ? len : 1;
                }
        }
}

int status_main(int argc, char **argv)
{
        const char *state_dir = "/var/lib/contrainer", *sock = NULL;
        bool json = false, health = false, state_given = false;
        char path[4200], err[512];
        struct buf out, table;
        long code = 0;
        int r, rc = 1;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        fputs(status_help, stdout);
                        return 0;
                } else if (strcmp(a, "--json") == 0) {
                        json = true;
                } else if (strcmp(a, "--health") == 0) {
                        health = true;
                } else if ((strcmp(a, "--state-dir") == 0 || strcmp(a, "--status-socket") == 0) &&
                           i + 1 < argc && argv[i + 1][0]) {
                        if (strcmp(a, "--state-dir") == 0) {
                                state_dir = argv[++i];
                                state_given = true;
                        } else
                                sock = argv[++i];
                } else if (strncmp(a, "--state-dir=", 12) == 0 && a[12]) {
                        state_dir = a + 12;
                        state_given = true;
                } else if (strncmp(a, "--status-socket=", 16) == 0 && a[16]) {
                        sock = a + 16;
                } else {
                        fprintf(stderr, "contrainer status: unexpected argument '%.200s'\n%s", a, status_help);
                        return 2;
                }
        }
        if (!sock) {
                char own[4096];

                /* A user's controller keeps its state in the user's own
                 * state dir (docs/engines.md), and so is looked for there. */
                if (!state_given && engine_state_dir(environ, (unsigned)geteuid(), own, sizeof(own)) == 0)
                        snprintf(path, sizeof(path), "%s/status.sock", own);
                else
                        snprintf(path, sizeof(path), "%s/status.sock", state_dir);
                sock = path;
        }
        r = dl_load(err, sizeof(err));
        if (r < 0 || curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) {
                fprintf(stderr, "contrainer status: %s\n", r < 0 ? err : "cannot initialise libcurl");
                return 1;
        }
        buf_init(&out, STATUS_ANSWER_MAX);
        buf_init(&table, STATUS_ANSWER_MAX);
        r = get(sock, health ? "/healthz" : "/status", &code, &out, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "contrainer status: %s\n", r == -ENOMEM ? "out of memory" : err);
                goto out;
        }
        if (health) {
                put_safe(out.data ? out.data : "", out.len, code == 200 ? stdout : stderr);
                rc = code == 200 ? 0 : 1;
        } else if (code != 200) {
                fprintf(stderr, "contrainer status: the controller answered HTTP %ld\n", code);
        } else if (json) {
                put_safe(out.data ? out.data : "", out.len, stdout);
                putchar('\n');
                rc = 0;
        } else if (status_table(out.data ? out.data : "", &table) < 0) {
                fprintf(stderr, "contrainer status: the answer is not a status document\n");
        } else {
                fputs(table.data, stdout);
                rc = 0;
        }
out:
        buf_free(&out);
        buf_free(&table);
        curl_global_cleanup();
        return fflush(stdout) == 0 ? rc : 1;
}
