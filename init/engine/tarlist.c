/* tarlist.c — list a tar's executable regular files in its top directory.
 * See tarlist.h.  The Engine's archive endpoint writes Go archive/tar
 * output: ustar headers, PAX 'x' records for long names; GNU 'L' is accepted
 * too.  Only headers matter, so payloads are skipped as they stream by. */
#include "tarlist.h"

#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tar_lister_init(struct tar_lister *t, size_t max_names)
{
        memset(t, 0, sizeof(*t));
        buf_init(&t->ext, TARLIST_EXT_MAX);
        t->max = max_names;
}

void tar_lister_free(struct tar_lister *t)
{
        buf_free(&t->ext);
        free(t->next_name);
        t->next_name = NULL;
        t->names = strv_free(t->names);
        t->n = 0;
}

/* Octal field (NUL/space padded) or GNU base-256 (high bit set). */
static int field_num(const unsigned char *f, size_t n, uint64_t *ret)
{
        uint64_t v = 0;
        size_t i = 0;

        if (f[0] & 0x80) {
                if (f[0] != 0x80)
                        return -EPROTO;  /* negative or huge */
                for (i = 1; i < n; i++) {
                        if (v >> 56)
                                return -EPROTO;
                        v = v << 8 | f[i];
                }
                *ret = v;
                return 0;
        }
        while (i < n && f[i] == ' ')
                i++;
        for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v >> 60)
                        return -EPROTO;
                v = v << 3 | (uint64_t)(f[i] - '0');
        }
        for (; i < n; i++)
                if (f[i] != ' ' && f[i] != '\0')
                        return -EPROTO;
        *ret = v;
        return 0;
}

static bool block_is_zero(const unsigned char *b)
{
        for (size_t i = 0; i < 512; i++)
                if (b[i])
                        return false;
        return true;
}

static bool checksum_ok(const unsigned char *h)
{
        uint64_t want, sum = 0;

        if (field_num(h + 148, 8, &want) < 0)
                return false;
        for (size_t i = 0; i < 512; i++)
                sum += (i >= 148 && i < 156) ? ' ' : h[i];
        return sum == want;
}

/* "path=" value of a PAX record set, as a new string, or NULL. */
static char *pax_path(const char *p, size_t len)
{
        size_t off = 0;

        while (off < len) {
                size_t rl = 0, i = off;
                const char *kv, *eq;

                while (i < len && p[i] >= '0' && p[i] <= '9' && rl < len)
                        rl = rl * 10 + (size_t)(p[i++] - '0');
                /* "LEN KEY=VALUE\n": LEN counts the whole record */
                if (i >= len || p[i] != ' ' || rl == 0 || rl > len - off || i + 1 >= off + rl)
                        return NULL;
                kv = p + i + 1;
                eq = memchr(kv, '=', (size_t)(p + off + rl - kv));
                if (eq && eq - kv == 4 && memcmp(kv, "path", 4) == 0 && eq + 1 <= p + off + rl - 1) {
                        size_t vl = (size_t)(p + off + rl - 1 - (eq + 1));  /* drop '\n' */
                        return strndup(eq + 1, vl);
                }
                off += rl;
        }
        return NULL;
}

/* NAME relative to the archive root: "top/x" → "x" if x has no further '/'. */
static const char *direct_child(const char *name)
{
        const char *s;

        while (name[0] == '.' && name[1] == '/')
                name += 2;
        s = strchr(name, '/');
        if (!s || !s[1] || strchr(s + 1, '/'))
                return NULL;
        return s + 1;
}

static int add_entry(struct tar_lister *t, const unsigned char *h, const char *name)
{
        const char *child = direct_child(name);
        uint64_t mode;
        char tf = (char)h[156];
        int r;

        if (!child || child[0] == '.')
                return 0;
        if (tf != '0' && tf != '\0' && tf != '7')
                return 0;  /* directories, links, devices, fifos */
        if (field_num(h + 100, 8, &mode) < 0)
                return -EPROTO;
        if (!(mode & 0111))
                return 0;
        if (t->n >= t->max) {
                t->too_many = true;
                return -E2BIG;
        }
        r = strv_push(&t->names, child);
        if (r < 0)
                return r;
        t->n++;
        return 0;
}

static int header_done(struct tar_lister *t)
{
        const unsigned char *h = t->hdr;
        uint64_t size;
        char tf = (char)h[156], name[256 + 1];
        int r = 0;

        t->hdr_len = 0;
        if (block_is_zero(h)) {
                t->end = true;
                return 0;
        }
        if (!checksum_ok(h) || field_num(h + 124, 12, &size) < 0)
                return -EPROTO;
        t->data_left = size;
        t->pad_left = (512 - size % 512) % 512;
        if (tf == 'x' || tf == 'L') {
                if (size > TARLIST_EXT_MAX)
                        return -EPROTO;
                t->kind = tf;
                buf_reset(&t->ext);
                if (size == 0)
                        t->kind = 0;
                return 0;
        }
        if (tf == 'g' || tf == 'K')
                return 0;  /* global PAX / GNU long link: payload skipped */
        if (t->next_name) {
                r = add_entry(t, h, t->next_name);
        } else {
                size_t o = 0;
                if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
                        o = strnlen((const char *)h + 345, 155);
                        memcpy(name, h + 345, o);
                        name[o++] = '/';
                }
                size_t nl = strnlen((const char *)h, 100);
                memcpy(name + o, h, nl);
                name[o + nl] = '\0';
                r = add_entry(t, h, name);
        }
        free(t->next_name);
        t->next_name = NULL;
        return r;
}

static int ext_done(struct tar_lister *t)
{
        char *n = NULL;

        if (t->kind == 'x')
                n = pax_path(t->ext.data, t->ext.len);
        else if (t->ext.len)
                n = strndup(t->ext.data, strnlen(t->ext.data, t->ext.len));
        t->kind = 0;
        if (n) {
                free(t->next_name);
                t->next_name = n;
        }
        return 0;
}

int tar_lister_feed(struct tar_lister *t, const void *data, size_t len)
{
        const unsigned char *p = data;
        int r;

        if (t->bad)
                return -EPROTO;
        if (t->too_many)
                return -E2BIG;
        if (t->too_big)
                return -EFBIG;
        if (!t->end) {
                if (len > TARLIST_BYTES_MAX - t->fed) {
                        t->too_big = true;
                        return -EFBIG;
                }
                t->fed += len;
        }
        while (len > 0 && !t->end) {
                if (t->data_left > 0) {
                        size_t take = t->data_left < len ? (size_t)t->data_left : len;
                        if (t->kind) {
                                r = buf_append(&t->ext, p, take);
                                if (r < 0) {
                                        t->bad = r == -ENOBUFS;
                                        return r == -ENOBUFS ? -EPROTO : r;
                                }
                        }
                        t->data_left -= take;
                        p += take;
                        len -= take;
                        if (t->data_left == 0 && t->kind)
                                ext_done(t);
                        continue;
                }
                if (t->pad_left > 0) {
                        size_t take = t->pad_left < len ? (size_t)t->pad_left : len;
                        t->pad_left -= take;
                        p += take;
                        len -= take;
                        continue;
                }
                size_t take = sizeof(t->hdr) - t->hdr_len;
                if (take > len)
                        take = len;
                memcpy(t->hdr + t->hdr_len, p, take);
                t->hdr_len += take;
                p += take;
                len -= take;
                if (t->hdr_len == sizeof(t->hdr)) {
                        r = header_done(t);
                        if (r < 0) {
                                if (r == -EPROTO)
                                        t->bad = true;
                                return r;
                        }
                }
        }
        return 0;
}

int tar_lister_take(struct tar_lister *t, char ***ret)
{
        char **v = t->names;

        if (!v) {
                v = calloc(1, sizeof(*v));
                if (!v)
                        return -ENOMEM;
        }
        strv_sort(v);
        t->names = NULL;
        t->n = 0;
        *ret = v;
        return 0;
}
