/* replay.c — a plain main() that feeds files (or every file in directories)
 * to LLVMFuzzerTestOneInput, so `make check` replays each fuzz corpus under
 * gcc + ASan/UBSan without libFuzzer (as systemd and cJSON do). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        FILE *f = fopen(path, "rbe");
        uint8_t *data = NULL;
        size_t size = 0, cap = 0, n;

        if (!f) {
                perror(path);
                return -1;
        }
        do {
                if (size == cap) {
                        cap = cap ? cap * 2 : 4096;
                        data = realloc(data, cap);
                        if (!data)
                                abort();
                }
                n = fread(data + size, 1, cap - size, f);
                size += n;
        } while (n > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        return 0;
}

static int run_path(const char *path, unsigned *count)
{
        struct stat st;
        struct dirent **ents;
        int n, r = 0;

        if (stat(path, &st) < 0) {
                perror(path);
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*count)++;
                return run_file(path);
        }
        n = scandir(path, &ents, NULL, alphasort);
        if (n < 0) {
                perror(path);
                return -1;
        }
        for (int i = 0; i < n; i++) {
                if (ents[i]->d_name[0] != '.' && r == 0) {
                        char *p;
                        if (asprintf(&p, "%s/%s", path, ents[i]->d_name) < 0)
                                abort();
                        r = run_path(p, count);
                        free(p);
                }
                free(ents[i]);
        }
        free(ents);
        return r;
}

int main(int argc, char **argv)
{
        unsigned count = 0;

        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &count) < 0)
                        return 1;
        printf("%s: replayed %u inputs\n", argv[0], count);
        return 0;
}
