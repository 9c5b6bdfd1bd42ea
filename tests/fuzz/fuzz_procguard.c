/* fuzz_procguard.c — the /proc text matchers: the first byte splits the
 * input into a container id (short ids and non-hex included) and the text,
 * read both as a /proc/PID/cgroup file and as a /proc/PID/stat line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t idlen;
        char *id;

        if (size < 1)
                return 0;
        idlen = data[0] % 72;
        if (idlen > size - 1)
                idlen = size - 1;
        id = malloc(idlen + 1);
        if (!id)
                return 0;
        memcpy(id, data + 1, idlen);
        id[idlen] = '\0';
        (void)procguard_cgroup_match((const char *)data + 1 + idlen, size - 1 - idlen, id);
        (void)procguard_stat_leader((const char *)data + 1 + idlen, size - 1 - idlen, 42);
        free(id);
        return 0;
}
