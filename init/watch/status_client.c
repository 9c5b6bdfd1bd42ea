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
#include <unistd.h>

extern char **environ;

#define STATUS_ANSWER_MAX (8u << 20)
#define STATUS_TIMEOUT_MS 10000

static const char status_help[] =
        "usage: contrainer status [--state-dir DIR | --status-socket PATH] [--json] [--health]\n"
        "\n"
        "Ask a running `contrainer watch` what it holds and does (SPEC section 2.7).\n"
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

/* GET URL_PATH on SOCKET: 0 with *RET_CODE and OUT, or -EIO with ERR. */
static int get(const char *socket, const char *url_path, long *ret_code, struct buf *out,
               char *err, size_t errsz)
{
        CURL *h = curl_easy_init();
        char url[128];
        CURLcode cc;

        if (!h)
                return -ENOMEM;
        snprintf(url, sizeof(url), "http://localhost%s", url_path);
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)STATUS_TIMEOUT_MS);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
        cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
                snprintf(err, errsz, "cannot ask the controller at %.300s: %s", socket, curl_easy_strerror(cc));
                curl_easy_cleanup(h);
                return -EIO;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, ret_code);
        curl_easy_cleanup(h);
        return 0;
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
                fputs(out.data ? out.data : "", code == 200 ? stdout : stderr);
                rc = code == 200 ? 0 : 1;
        } else if (code != 200) {
                fprintf(stderr, "contrainer status: the controller answered HTTP %ld\n", code);
        } else if (json) {
                if (out.data)
                        fputs(out.data, stdout);
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
