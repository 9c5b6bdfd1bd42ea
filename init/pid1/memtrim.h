/* memtrim.h — PID 1's hand-back of start-up memory: once the main wait has
 * been quiet for a while, give back the heap, stack and executable pages
 * that start-up touched and the quiet loop never will, so that PID 1 costs
 * what tini costs while COMMAND runs.
 * Owns: malloc_trim, the stack below the caller and the read-only segments
 * of the executable (split page by page, see memtrim.c).
 * Does not own: when to do it (init_main.c's main wait, once) nor the link
 * order it relies on: the Makefile's INIT_LOOP links the quiet loop's
 * modules (deadline.o pid1.o memtrim.o init_main.o) first, next to the PLT,
 * so that the pages the loop runs afterwards are two (memtrim.c says why).
 * A module the quiet loop calls into belongs in INIT_LOOP too.
 * Context: PID 1 (init mode, also the static build), main thread, once. */
#ifndef CONTRAINER_MEMTRIM_H
#define CONTRAINER_MEMTRIM_H

/* Give back free heap, the stack pages below the caller's frame and the
 * executable's read-only pages (MADV_DONTNEED; they fault back in when
 * touched).  Call it from the loop that runs afterwards, once that loop has
 * turned at least once (every library function it calls is then bound).
 * Never fails: what does not apply is skipped. */
void memtrim_release_startup(void);

#endif
