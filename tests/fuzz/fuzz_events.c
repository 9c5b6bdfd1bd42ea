/* fuzz_events.c — event_parse on the whole input, then the same bytes fed
 * through a small line splitter in chunks whose size the first byte picks,
 * each line parsed again. */
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_line(void *userdata, const char *line, size_t len)
{
        struct event ev;
        char since[32];

        if (event_parse(line, len, &ev, userdata) == 0)
                event_format_since(ev.time_nano, since, sizeof(since));
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct parse_error err;
        struct event ev;
        struct line_splitter *ls;
        size_t chunk = size ? data[0] % 64 + 1 : 1, dropped = 0;

        (void)event_parse((const char *)data, size, &ev, &err);
        ls = line_splitter_new(512);
        if (!ls)
                return 0;
        for (size_t off = 0; off < size; off += chunk)
                (void)line_splitter_feed(ls, (const char *)data + off,
                                         size - off < chunk ? size - off : chunk,
                                         on_line, &err, &dropped);
        line_splitter_free(ls);
        return 0;
}
