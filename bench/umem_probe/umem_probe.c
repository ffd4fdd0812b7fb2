// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * umem_probe: what ib_umem_get() keeps for a device that does real DMA.
 *
 * The RDMA devices of the test guests are software devices (rxe, siw),
 * whose umems are never DMA-mapped; mlx5 and every other hardware driver
 * map theirs for a PCI function.  This module registers user memory with
 * ib_umem_get() for QEMU's edu PCI device, through a struct ib_device that
 * carries nothing but that DMA device, and keeps each umem until the
 * caller deregisters it or closes the file: the umem alone, without any
 * driver's per-MR arrays.  The same source builds against the stock and
 * the phyr tree (bench/umem_probe/build.sh), so make bench measures the
 * same thing on both kernels under each DMA regime a guest boots with.
 *
 * edu gets a 64-bit DMA mask, and its maximum segment is set as mlx5_core
 * sets its function's (2 GiB), capped at the longest mapping the DMA layer
 * can make (256 KiB with swiotlb=force), so that the stock scatterlist
 * maps in every regime; both are put back on unload (to what they were at
 * load: a driver bound to edu meanwhile would lose its settings).  The probe does not
 * bind to edu (the phyr kernel's test driver may have) and never starts a
 * transfer: mapping is all it needs of the device.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>
#include <rdma/iter.h>

#include "umem_probe_uapi.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
/* What mlx5_core gives dma_set_max_seg_size() */
#define PROBE_SEG_MAX	SZ_2G
#define PROBE_ACCESS	(IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | \
			 IB_ACCESS_REMOTE_READ)

static struct pci_dev *edu;
static u64 saved_mask, saved_coherent;
static unsigned int saved_seg;
/* ib_umem_get() reads only the DMA device of its ib_device */
static struct ib_device probe_ibdev;

struct probe_file {
	struct xarray umems;	/* handle -> struct ib_umem */
};

/*
 * Runs of consecutive DMA addresses in @umem, walked a page at a time;
 * the first page's DMA address in @first.
 */
static u64 dma_runs(struct ib_umem *umem, u64 *first)
{
	struct ib_block_iter biter;
	dma_addr_t next = 0;
	u64 runs = 0, n = 0;

	rdma_umem_for_each_dma_block(umem, &biter, PAGE_SIZE) {
		dma_addr_t a = rdma_block_iter_dma_address(&biter);

		if (!runs)
			*first = a;
		if (!runs || a != next)
			runs++;
		next = a + PAGE_SIZE;
		if (!(++n % 4096))
			cond_resched();
	}
	return runs;
}

static long probe_reg(struct probe_file *pf, struct umem_probe_reg __user *arg)
{
	struct umem_probe_reg r;
	struct ib_umem *umem;
	u32 id;
	int ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.reserved)
		return -EINVAL;
	umem = ib_umem_get(&probe_ibdev, r.addr, r.length, PROBE_ACCESS);
	if (IS_ERR(umem))
		return PTR_ERR(umem);
	r.pages = ib_umem_num_pages(umem);
	r.dma_blocks = ib_umem_num_dma_blocks(umem, PAGE_SIZE);
	r.dma_runs = dma_runs(umem, &r.dma_first);
	ret = xa_alloc(&pf->umems, &id, umem, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		ib_umem_release(umem);
		return ret;
	}
	r.handle = id;
	if (copy_to_user(arg, &r, sizeof(r))) {
		/*
		 * Unless another thread deregistered it already (and the
		 * handle may hold a newer umem since)
		 */
		if (xa_cmpxchg(&pf->umems, id, umem, NULL, 0) == umem)
			ib_umem_release(umem);
		return -EFAULT;
	}
	return 0;
}

static long probe_dereg(struct probe_file *pf, u32 __user *arg)
{
	struct ib_umem *umem;
	u32 id;

	if (get_user(id, arg))
		return -EFAULT;
	umem = xa_erase(&pf->umems, id);
	if (!umem)
		return -ENOENT;
	ib_umem_release(umem);
	return 0;
}

static long probe_info(struct umem_probe_info __user *arg)
{
	struct umem_probe_info info = {
		.max_mapping = dma_max_mapping_size(&edu->dev),
		.max_seg = dma_get_max_seg_size(&edu->dev),
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long probe_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct probe_file *pf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case UMEM_PROBE_IOC_REG:
		return probe_reg(pf, uarg);
	case UMEM_PROBE_IOC_DEREG:
		return probe_dereg(pf, uarg);
	case UMEM_PROBE_IOC_INFO:
		return probe_info(uarg);
	default:
		return -ENOTTY;
	}
}

static int probe_open(struct inode *inode, struct file *file)
{
	struct probe_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);

	if (!pf)
		return -ENOMEM;
	xa_init_flags(&pf->umems, XA_FLAGS_ALLOC1);
	file->private_data = pf;
	return 0;
}

static int probe_release(struct inode *inode, struct file *file)
{
	struct probe_file *pf = file->private_data;
	struct ib_umem *umem;
	unsigned long id;

	xa_for_each(&pf->umems, id, umem)
		ib_umem_release(umem);
	xa_destroy(&pf->umems);
	kfree(pf);
	return 0;
}

static const struct file_operations probe_fops = {
	.owner = THIS_MODULE,
	.open = probe_open,
	.release = probe_release,
	.unlocked_ioctl = probe_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice probe_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "umem_probe",
	.fops = &probe_fops,
};

static void edu_restore(void)
{
	device_lock(&edu->dev);
	edu->dma_mask = saved_mask;
	edu->dev.coherent_dma_mask = saved_coherent;
	dma_set_max_seg_size(&edu->dev, saved_seg);
	device_unlock(&edu->dev);
	pci_dev_put(edu);
}

static int __init umem_probe_init(void)
{
	struct device *dev;
	int ret;

	edu = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);
	if (!edu) {
		pr_err("no QEMU edu device (qemu -device edu)\n");
		return -ENODEV;
	}
	dev = &edu->dev;
	/* Against a driver binding to edu meanwhile */
	device_lock(dev);
	saved_mask = edu->dma_mask;
	saved_coherent = dev->coherent_dma_mask;
	saved_seg = dma_get_max_seg_size(dev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (!ret)
		dma_set_max_seg_size(dev, min_t(u64, PROBE_SEG_MAX,
						dma_max_mapping_size(dev)));
	device_unlock(dev);
	if (ret) {
		pr_err("edu takes no 64-bit DMA mask: %d\n", ret);
		goto restore;
	}
	probe_ibdev.dma_device = dev;
	ret = misc_register(&probe_misc);
	if (ret)
		goto restore;
	return 0;

restore:
	edu_restore();
	return ret;
}

static void __exit umem_probe_exit(void)
{
	misc_deregister(&probe_misc);
	edu_restore();
}

module_init(umem_probe_init);
module_exit(umem_probe_exit);
MODULE_DESCRIPTION("ib_umem_get() for QEMU's edu device: the hardware path's umem alone");
MODULE_LICENSE("Dual BSD/GPL");
