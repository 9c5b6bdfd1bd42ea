/* collect_facts.c — facts, label notes and label hooks from the inspect.
 * See collect_facts.h. */
#include "collect_facts.h"

#include "inspect.h"
#include "labels.h"
#include "log.h"
#include "strv.h"
#include "worker.h"
#include "wproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_pair(int fd, uint32_t type, const char *a, const char *b, size_t blen)
{
        size_t al = strlen(a);
        char *p = malloc(al + 1 + blen);

        if (!p)
                return;
        memcpy(p, a, al + 1);
        memcpy(p + al + 1, b, blen);
        (void)worker_put(fd, type, p, al + 1 + blen);
        free(p);
}

static void put_notes(int fd, const struct label_env_report *rep, size_t n)
{
        char line[900], qa[300], qb[300];

        if (rep->n_collisions) {
                snprintf(line, sizeof(line),
                         "%zu label key(s) collide after upper-casing into CONTRAINER_LABEL_*; the first key in byte order wins (e.g. %s is kept, %s is not given to bodies)",
                         rep->n_collisions, log_q(qa, sizeof(qa), rep->kept ? rep->kept : ""),
                         log_q(qb, sizeof(qb), rep->lost ? rep->lost : ""));
                (void)worker_puts(fd, WPROTO_NOTE, line);
        }
        if (rep->n_over) {
                snprintf(line, sizeof(line),
                         "%zu labels: only the first %d in byte order are given to bodies as CONTRAINER_LABEL_*, %zu are not",
                         n, LABEL_ENV_MAX, rep->n_over);
                (void)worker_puts(fd, WPROTO_NOTE, line);
        }
        if (rep->n_long) {
                snprintf(line, sizeof(line), "%zu label key(s) longer than %zu bytes are not given to bodies as CONTRAINER_LABEL_*",
                         rep->n_long, (size_t)LABEL_KEY_MAX);
                (void)worker_puts(fd, WPROTO_NOTE, line);
        }
        if (rep->n_cut) {
                snprintf(line, sizeof(line), "%zu label value(s) longer than %d bytes are cut for CONTRAINER_LABEL_*",
                         rep->n_cut, LABEL_VALUE_MAX);
                (void)worker_puts(fd, WPROTO_NOTE, line);
        }
}

void collect_facts_put(int fd, const char *doc, size_t len, size_t max_output, bool hooks)
{
        struct label_env_report rep;
        struct inspect_facts f;
        struct label_hook *h = NULL;
        struct label *v = NULL;
        char **env = NULL, *img = NULL;
        size_t nh = 0;

        if (inspect_facts_parse(doc, len, &f) < 0)
                return;
        v = calloc(f.n_labels + 1, sizeof(*v));
        if (!v)
                goto out;
        for (size_t i = 0; i < f.n_labels; i++)
                v[i] = (struct label){ f.keys[i], f.values[i] };
        labels_sort(v, f.n_labels);
        if (asprintf(&img, "CONTRAINER_SOURCE_IMAGE=%s", f.image ? f.image : "") >= 0) {
                (void)worker_puts(fd, WPROTO_FACT, img);
                free(img);
        }
        if (label_env(v, f.n_labels, &env, &rep) == 0) {
                for (size_t i = 0; env[i]; i++)
                        (void)worker_puts(fd, WPROTO_FACT, env[i]);
                put_notes(fd, &rep, f.n_labels);
                strv_free(env);
        }
        if (f.has_exit_code) {
                char line[128];

                snprintf(line, sizeof(line), "%d %s", f.exit_code, f.finished_at);
                (void)worker_puts(fd, WPROTO_ENDED, line);
        }
        if (hooks && label_hooks(v, f.n_labels, max_output, &h, &nh) == 0) {
                for (size_t i = 0; i < nh; i++) {
                        if (h[i].out)
                                put_pair(fd, WPROTO_LABEL_OK, h[i].name, h[i].out, h[i].len);
                        else
                                put_pair(fd, WPROTO_LABEL_FAIL, h[i].name, h[i].reason,
                                         strlen(h[i].reason));
                }
                label_hooks_free(h, nh);
        }
out:
        free(v);
        inspect_facts_free(&f);
}
