// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * pin_user_pages_phyr(): pin user memory into a phyr list.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/mm.h>
#include <linux/phyr_user.h>

/**
 * DOC: pinning
 *
 * The pages come from pin_user_pages_fast() a PMD's worth at a time (one
 * page of struct page pointers), so the page-table walk keeps its locality,
 * and go to the list as runs of physically consecutive pages, a page of
 * runs per phyr_append_ranges() call.  The list merges a run that continues
 * the previous one, so a THP or hugetlb folio ends up as one entry wherever
 * the batches cut it.
 */

/* Pages per call into GUP: one page of pointers, 2 MiB with 4 KiB pages. */
#define GUP_PHYR_BATCH	(PAGE_SIZE / sizeof(struct page *))

/* Runs handed to phyr_append_ranges() at a time: one page of them. */
#define GUP_PHYR_RUNS	(PAGE_SIZE / sizeof(struct phyr))
/*
 * Ranges unpinned per phyr_iter_fill() call, where the list is not equal
 * blocks (the ends, each chunk's last entry, mixed folios): 512 bytes of
 * stack.
 */
#define UNPIN_BATCH	32
/* Pages or folios unpinned between two cond_resched() */
#define UNPIN_RESCHED	512

/*
 * Append the @nr pinned pages mapped from @va on, clipped to the user range
 * [@start, @end), as runs of physically consecutive pages collected in
 * @runs, a few hundred per call into the list.  On failure the pages not
 * appended are unpinned here; those appended are in the list.
 */
static int append_pinned(struct phyr_append *app, struct phyr *runs,
			 struct page **pages, unsigned long nr,
			 unsigned long va, unsigned long start, u64 end)
{
	unsigned long i, j, pfn, next = 0, first = 0;
	u64 over = va + nr * PAGE_SIZE - min_t(u64, va + nr * PAGE_SIZE, end);
	unsigned int n = 0;
	int ret;

	/*
	 * Each page's pfn is looked up once: this loop runs per 4 KiB page.
	 * Runs are whole pages here; only the pin's first and last page can
	 * be cut, so the clipping waits until a batch goes to the list.
	 */
	for (i = 0, pfn = page_to_pfn(pages[0]); i < nr; i = j, pfn = next) {
		for (j = i + 1; j < nr; j++) {
			next = page_to_pfn(pages[j]);
			if (next != pfn + (j - i))
				break;
		}
		runs[n].addr = PFN_PHYS(pfn);
		runs[n++].len = (j - i) << PAGE_SHIFT;
		if (n < GUP_PHYR_RUNS && j < nr)
			continue;
		if (!first && va < start) {
			/* The pin's first page, from its first byte */
			runs[0].addr += start - va;
			runs[0].len -= start - va;
		}
		if (j == nr)
			runs[n - 1].len -= over;
		ret = phyr_append_ranges(app, runs, n);
		if (ret) {
			unpin_user_pages(pages + first, nr - first);
			return ret;
		}
		first = j;
		n = 0;
	}
	return 0;
}

/*
 * Unpin equal blocks where the list stores them: naturally aligned, whole
 * pages or a part of one page where pages are larger than 4 KiB (only at
 * the list's ends, so no page is unpinned twice).
 */
static void unpin_blocks(const struct phyr_blocks *b, unsigned int n,
			 bool dirty)
{
	/* A copy the calls below cannot change, kept in registers */
	const struct phyr_blocks blk = *b;
	unsigned long nr = DIV_ROUND_UP(phyr_blocks_len(&blk), PAGE_SIZE);
	unsigned int i;

	if (blk.packed && blk.shift == PAGE_SHIFT) {
		/* Fragmented memory: a page each, a loop of its own */
		for (i = 0; i < n; i++)
			unpin_user_page_range_dirty_lock(pfn_to_page(phyr_blocks_pfn(&blk, i) >>
								     (PAGE_SHIFT - 12)),
							 1, dirty);
		return;
	}
	for (i = 0; i < n; i++)
		unpin_user_page_range_dirty_lock(pfn_to_page(PHYS_PFN(phyr_blocks_addr(&blk, i))),
						 nr, dirty);
}

/*
 * Unpin every page the list covers.  Only the list's ends are cut inside a
 * page, so each entry's pages are its own and are unpinned once.
 */
static void unpin_list(const struct phyr_list *list, bool dirty)
{
	PHYR_ITER(it);
	struct phyr r[UNPIN_BATCH];
	struct phyr_blocks b;
	struct page *page;
	unsigned int n, i, since = 0;
	unsigned long nr;

	/*
	 * On fragmented memory this runs once per page and should cost no
	 * more than ib_umem_release()'s walk of its scatterlist: equal
	 * blocks are read where the list stores them, the rest in batches.
	 */
	phyr_iter_start(&it, list);
	for (;;) {
		n = phyr_iter_blocks(&it, &b, UNPIN_RESCHED);
		if (n) {
			unpin_blocks(&b, n, dirty);
		} else {
			n = phyr_iter_fill(&it, r, ARRAY_SIZE(r));
			if (!n)
				break;
			for (i = 0; i < n; i++) {
				nr = DIV_ROUND_UP(offset_in_page(r[i].addr) + r[i].len,
						  PAGE_SIZE);
				page = pfn_to_page(PHYS_PFN(r[i].addr));
				unpin_user_page_range_dirty_lock(page, nr, dirty);
			}
		}
		since += n;
		if (since >= UNPIN_RESCHED) {
			since = 0;
			cond_resched();
		}
	}
}

/**
 * pin_user_pages_phyr() - Pin user memory into a phyr list.
 * @start: user virtual address of the first byte, in current->mm.
 * @len: number of bytes, at least 1.
 * @gup_flags: FOLL_WRITE and FOLL_LONGTERM, as for pin_user_pages_fast();
 *	no other flag.
 * @list: an initialised, empty list; receives the pinned bytes.
 *
 * Pins every page of [@start, @start + @len) with FOLL_PIN, as
 * pin_user_pages_fast() does, and describes exactly those bytes in @list,
 * merging physically contiguous pages, so that each THP or hugetlb folio
 * wholly inside the range takes one entry.  Nothing is charged: limits on
 * pinned memory (RLIMIT_MEMLOCK, mm->pinned_vm) are the caller's, as with
 * the other pin_user_pages*() calls.
 *
 * Context: Process context; sleeps.
 * Return: 0 with the memory pinned; -EINVAL for a zero @len, a range that
 * wraps, a non-empty @list or other flags; -ENOMEM; -EFAULT or another
 * error of pin_user_pages_fast() if a page cannot be pinned.  On error
 * nothing is pinned and @list is empty.
 */
int pin_user_pages_phyr(unsigned long start, u64 len, unsigned int gup_flags,
			struct phyr_list *list)
{
	PHYR_APPEND(app);
	unsigned long npages, left, va;
	struct page **pages;
	struct phyr *runs;
	long pinned;
	u64 end;
	int ret;

	if (gup_flags & ~(FOLL_WRITE | FOLL_LONGTERM) || !phyr_list_empty(list))
		return -EINVAL;
	if (!len || check_add_overflow((u64)start, len, &end) ||
	    end > (u64)ULONG_MAX || PAGE_ALIGN(end) < end)
		return -EINVAL;
	npages = (PAGE_ALIGN(end) - (start & PAGE_MASK)) >> PAGE_SHIFT;

	pages = (struct page **)__get_free_page(GFP_KERNEL);
	runs = (struct phyr *)__get_free_page(GFP_KERNEL);
	if (!pages || !runs) {
		ret = -ENOMEM;
		goto free;
	}

	phyr_append_begin(&app, list, GFP_KERNEL);
	va = start & PAGE_MASK;
	for (left = npages; left; left -= pinned, va += pinned * PAGE_SIZE) {
		cond_resched();
		pinned = pin_user_pages_fast(va, min(left, GUP_PHYR_BATCH),
					     gup_flags, pages);
		if (pinned <= 0) {
			ret = pinned ? pinned : -EFAULT;
			goto unpin;
		}
		ret = append_pinned(&app, runs, pages, pinned, va, start, end);
		if (ret)
			goto unpin;
	}
	phyr_append_end(&app);
	ret = 0;
	goto free;

unpin:
	phyr_append_end(&app);
	unpin_list(list, false);
	phyr_list_destroy(list);
free:
	free_page((unsigned long)runs);
	free_page((unsigned long)pages);
	return ret;
}
EXPORT_SYMBOL_GPL(pin_user_pages_phyr);

/**
 * unpin_user_pages_phyr() - Unpin memory pinned by pin_user_pages_phyr().
 * @list: the list pin_user_pages_phyr() filled.
 * @make_dirty: mark the pages dirty first, as unpin_user_pages_dirty_lock()
 *	does; only for pages pinned with FOLL_WRITE.
 *
 * Unpins by physically contiguous ranges, a folio at a time.  The list
 * itself stays as it is: the caller destroys it.
 *
 * Context: Process context; sleeps.
 */
void unpin_user_pages_phyr(const struct phyr_list *list, bool make_dirty)
{
	unpin_list(list, make_dirty);
}
EXPORT_SYMBOL_GPL(unpin_user_pages_phyr);
