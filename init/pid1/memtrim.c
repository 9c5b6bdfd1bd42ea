/* memtrim.c — PID 1's hand-back of start-up memory.  See memtrim.h.
 *
 * Why the Makefile's link order matters here: after the hand-back, every
 * page of text the quiet loop runs is faulted in again, one page each
 * (below).  The Makefile's INIT_LOOP puts the loop's modules first in the
 * binary, next to the PLT: deadline.o, pid1.o, this file, then init_main.o
 * (its main_wait), so that those pages are two, not one per module
 * scattered over the ~220 kB of text that also holds the controller.  This
 * file goes before init_main.o: memtrim_release_startup returns into
 * main_wait after the hand-back, and init_main.o's start-up code is long
 * enough that after it this function would sit on a page of its own
 * (measured: 4 kB more of PID 1's private memory).  Moving the loop's code
 * to another module without adding it to INIT_LOOP costs a page per
 * module. */
#include "memtrim.h"

#include <link.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <sys/mman.h>

/* The executable's read-only segments (headers and symbol tables, text,
 * constants) as page ranges; the first object dl_iterate_phdr() reports
 * is the executable itself. */
struct ro_segments {
        uintptr_t lo[8], hi[8];
        int n;
};

static int find_ro_segments(struct dl_phdr_info *info, size_t size, void *data)
{
        struct ro_segments *r = data;

        (void)size;
        for (int i = 0; i < info->dlpi_phnum && r->n < 8; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t start = info->dlpi_addr + ph->p_vaddr;

                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
                        continue;
                r->lo[r->n] = start & ~(uintptr_t)4095;
                r->hi[r->n] = (start + ph->p_memsz + 4095) & ~(uintptr_t)4095;
                r->n++;
        }
        return 1;
}

/* Give back what start-up touched and will not touch again, so that PID 1
 * costs what tini costs while COMMAND runs:
 * - free heap pages (directory buffers, the environment as it was read);
 * - the stack pages below this frame (glibc's printf to unbuffered stderr
 *   alone uses an 8 kB on-stack buffer);
 * - the executable's read-only pages.  They are clean pages of the file
 *   (the page cache keeps them), but mapped only by us they count as our
 *   private memory, and the binary also holds the controller.  On each
 *   fault the kernel maps up to 16 neighbouring cached pages
 *   ("fault-around"), never across the edge of a mapping (VMA); giving
 *   every other page another advice (MADV_RANDOM: no read-ahead on a cache
 *   miss, nothing else) makes each page its own VMA, so that afterwards
 *   only the pages the main loop really runs are mapped again (the Makefile
 *   links that loop first, next to the PLT: two or three pages).
 * Pages are handed back with MADV_DONTNEED; touching them again faults in
 * zero pages (stack, heap) or the file's pages (text).  No-ops where they
 * do not apply (madvise errors are harmless here). */
void memtrim_release_startup(void)
{
        const uintptr_t page = 4096, span = 256 * 1024;
        volatile char here = 0;
        uintptr_t top = ((uintptr_t)&here - page) & ~(page - 1);
        struct ro_segments ro = { .n = 0 };

#ifdef __GLIBC__
        (void)malloc_trim(0);
#endif
        /* Below the stack's lowest page there is nothing mapped: madvise
         * skips that hole (and says ENOMEM, which is fine).  One page is
         * left below this frame for madvise's own. */
        if (top > span)
                (void)madvise((void *)(top - span), span, MADV_DONTNEED);
        /* Read the program headers (in the first page) before it goes. */
        (void)dl_iterate_phdr(find_ro_segments, &ro);
        for (int i = 0; i < ro.n; i++) {
                for (uintptr_t a = ro.lo[i] + page; a < ro.hi[i]; a += 2 * page)
                        (void)madvise((void *)a, page, MADV_RANDOM);
                (void)madvise((void *)ro.lo[i], ro.hi[i] - ro.lo[i], MADV_DONTNEED);
        }
}
