/* traits.h — what the controller knows of a container, as bits: computed
 * from its inspect (engine/inspect.c inspect_traits), kept with the
 * container (watch/core/snapshot.c), used by the policy (grammar/policy.c)
 * and the pipeline.  In base/ because both engine/ and grammar/ use them
 * and neither may include the other (tests/lint.sh RULES).
 * Owns: the bit values only.  Any context. */
#ifndef CONTRAINER_TRAITS_H
#define CONTRAINER_TRAITS_H

#define TRAIT_KNOWN    0x01u  /* inspected: the other bits are meaningful */
#define TRAIT_HOSTEQ   0x02u  /* as good as the host (docs/watch.md "Host-equivalent containers"): needs the host class */
#define TRAIT_SHADOW   0x04u  /* a label shadows execID on its exec events */
#define TRAIT_SELFLIKE 0x08u  /* same host name as the controller (or the host's UTS) */
#define TRAIT_SELF     0x10u  /* may be the controller itself, which cannot identify
                               * its own container: treated as %contrainer */

#endif
