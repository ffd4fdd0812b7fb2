/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Mapping phyr lists for DMA.
 *
 * Copyright (c) 2026 The phyr-umem authors
 */
#ifndef _LINUX_PHYR_DMA_H
#define _LINUX_PHYR_DMA_H

#include <linux/dma-direction.h>
#include <linux/phyr.h>

struct device;

/**
 * enum phyr_dma_kind - How dma_map_phyr() mapped a list.
 * @PHYR_DMA_DIRECT: bus address == physical address, nothing bounced: the
 *	DMA list is the CPU list.
 * @PHYR_DMA_LINEAR: a translating IOMMU mapped the list into one IOVA range:
 *	one DMA entry unless the device's segment boundary cut it.
 * @PHYR_DMA_SEGMENTS: every other case (bus offsets, bouncing, untrusted or
 *	non-coherent devices, dma_map_ops): one DMA entry per mapped segment,
 *	fewer where segments happen to be contiguous.
 */
enum phyr_dma_kind {
	PHYR_DMA_DIRECT,
	PHYR_DMA_LINEAR,
	PHYR_DMA_SEGMENTS,
};

struct phyr_list *dma_map_phyr(struct device *dev, struct phyr_list *cpu,
			       enum dma_data_direction dir,
			       unsigned long attrs);
void dma_unmap_phyr(struct device *dev, struct phyr_list *cpu,
		    struct phyr_list *dma, enum dma_data_direction dir,
		    unsigned long attrs);
enum phyr_dma_kind dma_phyr_kind(struct device *dev,
				 const struct phyr_list *cpu,
				 const struct phyr_list *dma);

#endif /* _LINUX_PHYR_DMA_H */
