// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Test driver for pin_user_pages_phyr() and dma_map_phyr().
 *
 * /dev/test_phyr_dma pins the caller's memory into a phyr list (one pin per
 * open file; nothing is charged to RLIMIT_MEMLOCK: pinning does no
 * accounting, its users do), maps it for QEMU's "edu" PCI device when one
 * is present, and reports the lists and what it checked.  With
 * PHYR_TEST_MAP_EDU the edu device's DMA engine moves real data through the
 * DMA list: it reads one page back and writes a pattern into sample pages,
 * which the caller checks after unmapping.  Closing the file unmaps and
 * unpins whatever is left.  PHYR_TEST_IOC_FLOOR times pinning and unpinning
 * alone, with no list: the floor make bench reads registration against.
 *
 * edu's DMA engine copies between RAM and a 4 KiB buffer of its own at
 * device address 0x40000, one transfer at a time (100 ms each in QEMU) of
 * at most 4095 bytes.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/phyr_dma.h>
#include <linux/phyr_user.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include "test_phyr_dma_uapi.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_CNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)
#define EDU_BUF			0x40000
/* QEMU refuses a transfer that reaches the buffer's last byte (4096) */
#define EDU_XFER_MAX		4088
#define EDU_TIMEOUT_MS		5000

static struct {
	struct mutex lock;	/* one DMA program at a time */
	struct pci_dev *pdev;
	void __iomem *mmio;
	void *buf;		/* coherent bounce page for loading edu */
	dma_addr_t buf_dma;
} edu = { .lock = __MUTEX_INITIALIZER(edu.lock) };

struct test_file {
	struct mutex lock;	/* serialises the ioctls of one file */
	struct phyr_list cpu;
	bool pinned;
	bool writable;
	bool split;		/* mapped is the second half of each page */
	struct phyr_list halves;
	struct phyr_dma_list dma;
	struct device *dev;	/* holds a reference while mapped */
};

/* Byte @j of the pattern edu's buffer holds for @seed. */
static u8 pattern(u32 seed, unsigned int j)
{
	return seed + j * 7 + (j >> 8);
}

static int edu_copy(u64 src, u64 dst, u32 cnt, bool to_ram)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(EDU_TIMEOUT_MS);

	writeq(src, edu.mmio + EDU_DMA_SRC);
	writeq(dst, edu.mmio + EDU_DMA_DST);
	writeq(cnt, edu.mmio + EDU_DMA_CNT);
	writeq(EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0),
	       edu.mmio + EDU_DMA_CMD);
	while (readq(edu.mmio + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, timeout))
			return -ETIMEDOUT;
		usleep_range(2000, 4000);
	}
	return 0;
}

/* DMA address of byte @off of the mapping, and the CPU page behind it. */
static void locate(const struct phyr_list *cpu, const struct phyr_dma_list *dma,
		   u64 off, phys_addr_t *c, dma_addr_t *d)
{
	PHYR_DMA_ITER(dit);
	PHYR_ITER(it);

	WARN_ON(phyr_iter_seek(&it, cpu, off, c));
	WARN_ON(phyr_dma_iter_seek(&dit, dma, off, d));
}

/*
 * The device reads page @off of the mapping into its buffer, and from there
 * into edu.buf, which must then hold what the CPU sees in that page.
 */
static int edu_read_back(struct test_file *tf, u64 off, u32 *ok)
{
	phys_addr_t c;
	dma_addr_t d;
	void *page;
	int ret;

	locate(&tf->cpu, &tf->dma, off, &c, &d);
	ret = edu_copy(d, EDU_BUF, EDU_XFER_MAX, false);
	if (!ret)
		ret = edu_copy(EDU_BUF, edu.buf_dma, EDU_XFER_MAX, true);
	if (ret)
		return ret;
	page = kmap_local_page(pfn_to_page(PHYS_PFN(c)));
	*ok = !memcmp(page, edu.buf, EDU_XFER_MAX);
	kunmap_local(page);
	return 0;
}

/* Sample page @k of @n, spread evenly from the first page to the last. */
static u64 sample_page(unsigned int k, unsigned int n, u64 npages)
{
	return n > 1 ? k * (npages - 1) / (n - 1) : 0;
}

static int edu_write_samples(struct test_file *tf, u32 seed, u32 *samples)
{
	u64 npages = phyr_list_length(&tf->cpu) >> PAGE_SHIFT;
	unsigned int k, n = min_t(u64, npages, PHYR_TEST_EDU_SAMPLES);
	phys_addr_t c;
	dma_addr_t d;
	unsigned int j;
	u8 *buf = edu.buf;
	int ret;

	for (j = 0; j < EDU_XFER_MAX; j++)
		buf[j] = pattern(seed, j);
	ret = edu_copy(edu.buf_dma, EDU_BUF, EDU_XFER_MAX, false);
	for (k = 0; !ret && k < n; k++) {
		locate(&tf->cpu, &tf->dma,
		       sample_page(k, n, npages) << PAGE_SHIFT, &c, &d);
		ret = edu_copy(EDU_BUF + 8 * (k + 1), d, PHYR_TEST_EDU_LEN,
			       true);
		if (!ret)
			*samples = k + 1;
	}
	return ret;
}

/* Does every CPU page's DMA address lead back to it? */
static void check_pages(struct test_file *tf, struct phyr_test_map *m)
{
	PHYR_ITER(ci);
	PHYR_DMA_ITER(di);
	struct iommu_domain *dom = iommu_get_domain_for_dev(tf->dev);
	const struct phyr_list *cpu = tf->dma.cpu;
	phys_addr_t c = 0;
	dma_addr_t d = 0;
	u64 off, step = 0;

	m->domain = !dom ? PHYR_TEST_DOMAIN_NONE :
		    dom->type == IOMMU_DOMAIN_IDENTITY ?
		    PHYR_TEST_DOMAIN_IDENTITY : PHYR_TEST_DOMAIN_TRANSLATED;
	for (off = 0; off < phyr_list_length(cpu); off += step) {
		if (off) {
			phyr_iter_advance(&ci, step, &c);
			phyr_dma_iter_advance(&di, step, &d);
		} else {
			phyr_iter_seek(&ci, cpu, 0, &c);
			phyr_dma_iter_seek(&di, &tf->dma, 0, &d);
		}
		m->pages++;
		if (m->domain == PHYR_TEST_DOMAIN_TRANSLATED) {
			if (iommu_iova_to_phys(dom, d) != c)
				m->mismatches++;
		} else if (swiotlb_find_pool(tf->dev, dma_to_phys(tf->dev, d))) {
			m->bounced++;
		} else if (dma_to_phys(tf->dev, d) != c) {
			m->mismatches++;
		}
		step = PAGE_SIZE - offset_in_page(c);
		cond_resched();
	}
}

static long test_pin(struct test_file *tf, struct phyr_test_pin __user *arg)
{
	PHYR_ITER(it);
	struct phyr_test_pin p;
	u64 __user *out;
	struct phyr r;
	u32 n = 0;
	int ret;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	if (p.flags & ~PHYR_TEST_PIN_WRITE)
		return -EINVAL;
	if (tf->pinned)
		return -EBUSY;
	tf->writable = p.flags & PHYR_TEST_PIN_WRITE;
	ret = pin_user_pages_phyr(p.addr, p.len, FOLL_LONGTERM |
				  (tf->writable ? FOLL_WRITE : 0), &tf->cpu);
	if (ret)
		return ret;
	tf->pinned = true;

	p.nr_entries = phyr_list_nr_entries(&tf->cpu);
	p.footprint = phyr_list_footprint(&tf->cpu);
	p.head = sizeof(tf->cpu);
	p.length = phyr_list_length(&tf->cpu);
	out = u64_to_user_ptr(p.ranges);
	phyr_for_each(&tf->cpu, &it, &r) {
		if (!out || n == p.max_ranges)
			break;
		if (put_user(r.addr, out + 2 * n) ||
		    put_user(r.len, out + 2 * n + 1))
			return -EFAULT;
		n++;
	}
	return copy_to_user(arg, &p, sizeof(p)) ? -EFAULT : 0;
}

/*
 * What registration cannot do without: pinning the pages as ib_umem_get()
 * pins them, a page of page pointers at a time, and unpinning each batch
 * again as ib_umem_release() unpins, one call per physically contiguous
 * run, timed around those calls only (finding the runs is not timed).
 * The floor a registration's time is read against (make bench).
 */
static long test_floor(struct phyr_test_floor __user *arg)
{
	const unsigned long batch = PAGE_SIZE / sizeof(struct page *);
	unsigned long addr, npages, i, j, runs;
	struct phyr_test_floor f;
	unsigned int gup_flags;
	struct page **pages;
	long ret = 0, n;
	u16 *lens;
	bool dirty;
	u64 t0, t1;

	if (copy_from_user(&f, arg, sizeof(f)))
		return -EFAULT;
	if (f.flags & ~PHYR_TEST_PIN_WRITE || f.pad || !f.len ||
	    f.addr + f.len < f.addr || f.addr + f.len > TASK_SIZE)
		return -EINVAL;
	dirty = f.flags & PHYR_TEST_PIN_WRITE;
	gup_flags = FOLL_LONGTERM | (dirty ? FOLL_WRITE : 0);
	addr = ALIGN_DOWN(f.addr, PAGE_SIZE);
	npages = (ALIGN(f.addr + f.len, PAGE_SIZE) - addr) >> PAGE_SHIFT;
	pages = (struct page **)__get_free_page(GFP_KERNEL);
	lens = kmalloc_array(batch, sizeof(*lens), GFP_KERNEL);
	if (!pages || !lens) {
		ret = -ENOMEM;
		goto out;
	}
	f.pages = 0;
	f.pin_ns = 0;
	f.unpin_ns = 0;
	while (npages) {
		cond_resched();
		t0 = ktime_get_ns();
		n = pin_user_pages_fast(addr, min(npages, batch), gup_flags,
					pages);
		t1 = ktime_get_ns();
		if (n <= 0) {
			ret = n ? n : -EFAULT;
			break;
		}
		f.pin_ns += t1 - t0;
		/* The runs, in place: pages[r] their first page, lens[r] */
		for (i = 0, runs = 0; i < n; i = j, runs++) {
			for (j = i + 1; j < n && page_to_pfn(pages[j]) ==
			     page_to_pfn(pages[i]) + (j - i); j++)
				;
			pages[runs] = pages[i];
			lens[runs] = j - i;
		}
		t0 = ktime_get_ns();
		for (i = 0; i < runs; i++)
			unpin_user_page_range_dirty_lock(pages[i], lens[i], dirty);
		f.unpin_ns += ktime_get_ns() - t0;
		f.pages += n;
		addr += n * PAGE_SIZE;
		npages -= n;
	}
	if (!ret && copy_to_user(arg, &f, sizeof(f)))
		ret = -EFAULT;
out:
	kfree(lens);
	free_page((unsigned long)pages);
	return ret;
}

static void test_unmap(struct test_file *tf)
{
	if (!tf->dev)
		return;
	dma_unmap_phyr(tf->dev, &tf->dma, DMA_BIDIRECTIONAL, 0);
	put_device(tf->dev);
	tf->dev = NULL;
	if (tf->split)
		phyr_list_destroy(&tf->halves);
	tf->split = false;
}

/*
 * A CPU list of the second half of every page of the pinned one: its
 * interior ranges start inside IOMMU granules, so no IOVA range can hold
 * it and a translating IOMMU maps it segment by segment.
 */
static int split_pages(struct test_file *tf)
{
	PHYR_APPEND(app);
	PHYR_ITER(it);
	struct phyr r;
	u64 at;
	int ret = 0;

	phyr_list_init(&tf->halves);
	phyr_append_begin(&app, &tf->halves, GFP_KERNEL);
	phyr_for_each(&tf->cpu, &it, &r) {
		for (at = r.addr; !ret && at < r.addr + r.len; at += PAGE_SIZE)
			ret = phyr_append_range(&app, at + PAGE_SIZE / 2,
						PAGE_SIZE / 2);
		if (ret)
			break;
	}
	phyr_append_end(&app);
	if (ret)
		phyr_list_destroy(&tf->halves);
	return ret;
}

static void test_unpin(struct test_file *tf, bool dirty)
{
	test_unmap(tf);
	if (tf->pinned) {
		unpin_user_pages_phyr(&tf->cpu, dirty && tf->writable);
		phyr_list_destroy(&tf->cpu);
	}
	tf->pinned = false;
}

static long test_map(struct test_file *tf, struct phyr_test_map __user *arg)
{
	const u32 known = PHYR_TEST_MAP_EDU | PHYR_TEST_MAP_SEG_BOUNDARY |
			  PHYR_TEST_MAP_SPLIT;
	const struct phyr_list *cpu = &tf->cpu;
	struct phyr_test_map m;
	unsigned long boundary;
	phys_addr_t first;
	struct device *dev;
	long ret = 0;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.flags & ~known ||
	    (m.flags & PHYR_TEST_MAP_EDU && m.flags & PHYR_TEST_MAP_SPLIT))
		return -EINVAL;
	if (m.flags & PHYR_TEST_MAP_SEG_BOUNDARY &&
	    (m.seg_boundary > ULONG_MAX || !is_power_of_2(m.seg_boundary + 1)))
		return -EINVAL;
	if (!tf->pinned)
		return -ENOENT;
	if (tf->dev)
		return -EBUSY;
	phyr_list_first_addr(&tf->cpu, &first);
	if (m.flags & (PHYR_TEST_MAP_EDU | PHYR_TEST_MAP_SPLIT) &&
	    (first & ~PAGE_MASK || phyr_list_length(&tf->cpu) & ~PAGE_MASK))
		return -EINVAL;

	mutex_lock(&edu.lock);
	if (!edu.pdev) {
		ret = -ENODEV;
		goto unlock;
	}
	dev = &edu.pdev->dev;
	if (m.flags & PHYR_TEST_MAP_SPLIT) {
		ret = split_pages(tf);
		if (ret)
			goto unlock;
		cpu = &tf->halves;
	}
	/* The ranges of a DMA list are not segments: no boundary cuts them */
	boundary = dma_get_seg_boundary(dev);
	if (m.flags & PHYR_TEST_MAP_SEG_BOUNDARY)
		dma_set_seg_boundary(dev, m.seg_boundary);
	m.map_ns = ktime_get_ns();
	ret = dma_map_phyr(dev, cpu, &tf->dma, DMA_BIDIRECTIONAL, 0);
	m.map_ns = ktime_get_ns() - m.map_ns;
	dma_set_seg_boundary(dev, boundary);
	if (ret) {
		if (cpu == &tf->halves)
			phyr_list_destroy(&tf->halves);
		goto unlock;
	}
	tf->split = cpu == &tf->halves;
	tf->dev = get_device(dev);

	m.kind = phyr_dma_kind(&tf->dma);
	m.nr_entries = phyr_dma_nr_entries(&tf->dma);
	m.footprint = phyr_dma_footprint(&tf->dma);
	m.length = phyr_dma_length(&tf->dma);
	m.pages = 0;
	m.mismatches = 0;
	m.bounced = 0;
	m.samples = 0;
	m.read_ok = 0;
	check_pages(tf, &m);
	if (m.flags & PHYR_TEST_MAP_EDU) {
		u64 mid = (m.length >> PAGE_SHIFT) / 2;

		ret = edu_read_back(tf, mid << PAGE_SHIFT, &m.read_ok);
		if (!ret)
			ret = edu_write_samples(tf, m.seed, &m.samples);
	}
unlock:
	mutex_unlock(&edu.lock);
	if (!ret && copy_to_user(arg, &m, sizeof(m)))
		ret = -EFAULT;
	return ret;
}

static long test_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct test_file *tf = file->private_data;
	u32 dirty;
	long ret;

	mutex_lock(&tf->lock);
	switch (cmd) {
	case PHYR_TEST_IOC_PIN:
		ret = test_pin(tf, (void __user *)arg);
		break;
	case PHYR_TEST_IOC_UNPIN:
		ret = get_user(dirty, (u32 __user *)arg);
		if (!ret && !tf->pinned)
			ret = -ENOENT;
		if (!ret)
			test_unpin(tf, dirty);
		break;
	case PHYR_TEST_IOC_MAP:
		ret = test_map(tf, (void __user *)arg);
		break;
	case PHYR_TEST_IOC_UNMAP:
		ret = tf->dev ? 0 : -ENOENT;
		test_unmap(tf);
		break;
	case PHYR_TEST_IOC_FLOOR:
		ret = test_floor((void __user *)arg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&tf->lock);
	return ret;
}

static int test_open(struct inode *inode, struct file *file)
{
	struct test_file *tf = kzalloc(sizeof(*tf), GFP_KERNEL);

	if (!tf)
		return -ENOMEM;
	mutex_init(&tf->lock);
	phyr_list_init(&tf->cpu);
	file->private_data = tf;
	return 0;
}

static int test_release(struct inode *inode, struct file *file)
{
	struct test_file *tf = file->private_data;

	test_unpin(tf, false);
	mutex_destroy(&tf->lock);
	kfree(tf);
	return 0;
}

static const struct file_operations test_fops = {
	.owner = THIS_MODULE,
	.open = test_open,
	.release = test_release,
	.unlocked_ioctl = test_ioctl,
};

static struct miscdevice test_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "test_phyr_dma",
	.fops = &test_fops,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *mmio;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	mmio = pcim_iomap_region(pdev, 0, "test_phyr_dma");
	if (IS_ERR(mmio))
		return PTR_ERR(mmio);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);

	mutex_lock(&edu.lock);
	if (edu.pdev) {
		mutex_unlock(&edu.lock);
		return -EBUSY;
	}
	edu.buf = dmam_alloc_coherent(&pdev->dev, PAGE_SIZE, &edu.buf_dma,
				      GFP_KERNEL);
	if (!edu.buf) {
		mutex_unlock(&edu.lock);
		return -ENOMEM;
	}
	edu.mmio = mmio;
	edu.pdev = pdev;
	mutex_unlock(&edu.lock);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	mutex_lock(&edu.lock);
	edu.pdev = NULL;
	mutex_unlock(&edu.lock);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "test_phyr_dma",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init test_phyr_dma_init(void)
{
	int ret = pci_register_driver(&edu_driver);

	if (ret)
		return ret;
	ret = misc_register(&test_misc);
	if (ret)
		pci_unregister_driver(&edu_driver);
	return ret;
}

static void __exit test_phyr_dma_exit(void)
{
	misc_deregister(&test_misc);
	pci_unregister_driver(&edu_driver);
}

module_init(test_phyr_dma_init);
module_exit(test_phyr_dma_exit);
MODULE_DESCRIPTION("Test driver for pin_user_pages_phyr() and dma_map_phyr()");
MODULE_LICENSE("Dual BSD/GPL");
