/* collect_facts.h — what a collection worker tells besides scripts, from
 * the inspect it already holds (docs/events.md "Environment", "Label
 * hooks", "Catch-up"): the facts every body of the container's events gets
 * (CONTRAINER_SOURCE_IMAGE, CONTRAINER_LABEL_*), one line per label cap
 * hit, its label hooks, and how it ended.  No exec, no Engine call.
 * Owns: turning the inspect's labels into those records.  Does not own:
 * the inspect (collect_worker.c), the label rules (labels.h), reading the
 * records (collector.c).
 * Context: worker child only. */
#ifndef CONTRAINER_COLLECT_FACTS_H
#define CONTRAINER_COLLECT_FACTS_H

#include <stdbool.h>
#include <stddef.h>

/* Write the records of the inspect DOC/LEN on FD: WPROTO_FACT per
 * variable, WPROTO_NOTE per cap hit, WPROTO_ENDED when it is not running,
 * and (HOOKS) one WPROTO_LABEL_OK/FAIL per label hook, each output at
 * most MAX_OUTPUT bytes.  A document that does not parse writes nothing. */
void collect_facts_put(int fd, const char *doc, size_t len, size_t max_output, bool hooks);

#endif
