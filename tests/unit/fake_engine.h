/* fake_engine.h — an Engine stand-in for the controller core's unit tests:
 * a table of containers (id, name, start time, traits, scripts and their
 * outputs) answered as a collection worker would (collect_worker.h records), so
 * that the pipeline runs without a Docker Engine.  Fill the table before
 * the workers fork (they see the parent's copy). */
#ifndef CONTRAINER_FAKE_ENGINE_H
#define CONTRAINER_FAKE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

struct collect_spec;

#define FAKE_ENGINE_MAX 16
#define FAKE_SCRIPTS_MAX 4

struct fake_container {
        const char *id;
        const char *name;
        uint64_t started_ns;
        unsigned traits;          /* TRAIT_*; fake_engine_add adds TRAIT_KNOWN */
        bool gone;                /* inspect says: not running */
        bool hang;                /* the collection hangs until the worker is stopped */
        const char *script[FAKE_SCRIPTS_MAX];  /* paths, NULL-terminated */
        const char *output[FAKE_SCRIPTS_MAX];  /* their stdout */
        const char *facts[FAKE_SCRIPTS_MAX];   /* WPROTO_FACT "K=V", NULL-terminated */
        const char *hook[FAKE_SCRIPTS_MAX];    /* label hook NAMEs, NULL-terminated */
        const char *hook_out[FAKE_SCRIPTS_MAX]; /* their output, NULL: failed */
        bool ended;                            /* gone with EXIT_CODE (WPROTO_ENDED) */
        int exit_code;
};

/* Forget every container. */
void fake_engine_reset(void);

/* Add (or replace, by id) C; strings are borrowed (keep them alive).
 * Returns the table's entry, to change later. */
struct fake_container *fake_engine_add(const struct fake_container *c);

/* collector_config.child: answer CS's container from the table. */
int fake_engine_collect(const struct collect_spec *cs, int fd);

#endif
