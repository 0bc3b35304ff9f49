/* SPDX-License-Identifier: MIT */
/*
 * libdmaown: the Linux IOMMU-group DMA ownership protocol, an exhaustive
 * interleaving explorer for it, and the scenario files that drive both.
 *
 * The one header a program includes.  Its parts:
 *   dmaown/types.h     violation kinds and policies
 *   dmaown/core.h      the protocol (world, buses, drivers, devices, groups)
 *                      and the pthread backend
 *   dmaown/explore.h   the interleaving explorer
 *   dmaown/scenario.h  .own scenario files: parse, check, replay, run
 *   dmaown/host.h      a real machine's sysfs: groups, plans, apply, undo
 */
#ifndef DMAOWN_H
#define DMAOWN_H

#include "dmaown/types.h"
#include "dmaown/core.h"
#include "dmaown/explore.h"
#include "dmaown/scenario.h"
#include "dmaown/host.h"

#endif /* DMAOWN_H */
