// SPDX-License-Identifier: MIT
/*
 * export: a plan as a scenario file (dmaown-scenario(5), with the
 * additions of kernel versions and driver_override) that `dmaown check`
 * explores.
 *
 * The file holds the groups' members as the tree shows them (bound,
 * bridges, overrides, id-table matches), the plan's writes as one thread
 * ("plan"), then the VMM opening each group, and the threads that could
 * run at the same time on the host:
 *
 *  - "autoprobe": something probes the first moved device (udev, another
 *    tool writing drivers_probe): `attach`;
 *  - "modprobe": another driver whose id table lists the first moved
 *    device is loaded (as nvidia beside nouveau), named other-DRIVER;
 *  - "hotadd": a device that driver matches appears in the group (a
 *    function hot-added, a rescan).
 *
 * One device is raced, the first one moved: every device's part of the
 * plan has the same shape, and each racing thread multiplies the
 * interleavings with every step of the device it touches.
 *
 * The condition: every device the plan probes ends on its VFIO driver,
 * every bridge it unbinds on none, and the first moved device, the one
 * the loaded driver matches too, never back on its host driver.  That
 * one can end on the loaded driver whatever the order: driver_attach()
 * matches a device without its lock, so a load that matched before the
 * override was written probes after the unbind; only the plan's verify
 * step (`dmaown apply`) sees that.  With the plan's order the condition
 * holds in every interleaving; with the unbind first (--order
 * unbind-first) the autoprobe in the window binds the host driver back
 * and the condition fails.
 *
 * Before 6.15, drivers_probe's unlocked test of dev->driver is a data
 * race with the autoprobe's probe storing it (a plain store until
 * device_set_driver()), which the expect lines name.  On the 5.18 rule
 * the kernel has no ownership to refuse the hot-added device's driver
 * while VFIO holds the group, which the expect lines say.
 */
#include <string.h>

#include "host/host.h"

/* The first device the plan unbinds: its driver, bus, group and name. */
static void first_plan_dev(const struct dmo_host_plan *p, const char **drv,
			   const char **bus, int *group, const char **name)
{
	for (size_t i = 0; i < p->nr_steps; i++) {
		const struct dmo__hdev *d = &p->h->devs[p->steps[i].dev];

		if (p->steps[i].kind == DMO_STEP_UNBIND && d->driver) {
			*drv = d->driver;
			*bus = d->bus;
			*group = d->group;
			*name = d->name;
			return;
		}
	}
}

static bool listed(const struct dmo__strv *l, const char *s)
{
	return dmo__strv_has(l, s);
}

static void write_step(FILE *out, const struct dmo_host_plan *p,
		       const struct dmo__step *s, int *reg)
{
	const struct dmo__hdev *d = &p->h->devs[s->dev];

	switch (s->kind) {
	case DMO_STEP_OVERRIDE:
		fprintf(out, "  r%d = override %s %s\n", (*reg)++, d->name,
			s->value);
		break;
	case DMO_STEP_UNBIND:
		fprintf(out, "  r%d = unbind %s\n", (*reg)++, d->name);
		break;
	case DMO_STEP_PROBE:
		fprintf(out, "  r%d = probe %s\n", (*reg)++, d->name);
		break;
	}
}

void dmo_host_export(const struct dmo_host_plan *p, enum dmo_host_order order,
		     FILE *out)
{
	const struct dmo_host *h = p->h;
	struct dmo__strv buses = { 0 }, drivers = { 0 };
	const char *first_drv = NULL, *first_bus = NULL, *first_name = NULL;
	int first_group = -1;
	bool legacy = h->rule == DMO_RULE_LEGACY;
	bool wrong = order == DMO_HOST_UNBIND_FIRST;
	int reg = 0, nr_cond = 0;
	const char *pol;
	bool racy;

	fprintf(out, "# Written by dmaown export from %s (kernel %s).\n",
		h->root, h->kernel);
	fprintf(out,
		"# The plan of `dmaown plan vfio` as thread \"plan\"%s, and what could\n"
		"# race it on the host: autoprobe, a driver reload, a hot-add.\n",
		wrong ? ", with the unbind before the override (the wrong order)" :
			"");
	fputs("test host", out);
	for (size_t i = 0; i < p->nr_groups; i++)
		fprintf(out, "-group-%d", p->groups[i]);
	if (wrong)
		fputs("-unbind-first", out);
	fputc('\n', out);
	fprintf(out, "\"%s to VFIO: override, unbind, drivers_probe%s\"\n",
		p->nr_groups == 1 ? "The group" : "The groups",
		wrong ? ", the unbind first" :
			", racing autoprobe, a driver reload and a hot-add");
	fprintf(out, "kernel %s\n\n", dmo__kver_model(h->kv));
	for (size_t gi = 0; gi < p->nr_groups; gi++) {
		const struct dmo__hgroup *g = dmo__host_group(h, p->groups[gi]);

		for (size_t i = 0; i < g->nr_members; i++) {
			const struct dmo__hdev *d = &h->devs[g->members[i]];
			const char *vfio = dmo__vfio_driver(d->bus);

			if (!listed(&buses, d->bus))
				dmo__strv_add(&buses, d->bus);
			if (d->driver && !listed(&drivers, d->driver))
				dmo__strv_add(&drivers, d->driver);
			if (vfio && !listed(&drivers, vfio))
				dmo__strv_add(&drivers, vfio);
		}
	}
	for (size_t i = 0; i < buses.nr; i++)
		fprintf(out, "bus %s\n", buses.v[i]);
	for (size_t i = 0; i < drivers.nr; i++) {
		const char *bus = "pci";

		for (size_t k = 0; k < h->nr_devs; k++)
			if ((h->devs[k].driver &&
			     strcmp(h->devs[k].driver, drivers.v[i]) == 0) ||
			    (dmo__vfio_driver(h->devs[k].bus) &&
			     strcmp(dmo__vfio_driver(h->devs[k].bus),
				    drivers.v[i]) == 0)) {
				bus = h->devs[k].bus;
				break;
			}
		fprintf(out, "driver %s %s%s\n", drivers.v[i], bus,
			dmo__driver_is_managed(h, drivers.v[i]) ||
					strcmp(drivers.v[i], "pcieport") == 0 ?
				" managed_dma" :
				"");
	}
	first_plan_dev(p, &first_drv, &first_bus, &first_group, &first_name);
	if (first_drv)
		fprintf(out,
			"# another module whose id table lists %s, not loaded yet\n"
			"driver other-%s %s unloaded\n",
			first_name, first_drv, first_bus);
	for (size_t gi = 0; gi < p->nr_groups; gi++) {
		const struct dmo__hgroup *g = dmo__host_group(h, p->groups[gi]);

		for (size_t i = 0; i < g->nr_members; i++) {
			size_t idx = g->members[i];
			const struct dmo__hdev *d = &h->devs[idx];

			fprintf(out, "device %s %s group %d", d->name, d->bus,
				g->id);
			if (d->driver)
				fprintf(out, " bound %s", d->driver);
			if (dmo__dev_is_bridge(d))
				fputs(" bridge", out);
			if (d->override)
				fprintf(out, " override %s", d->override);
			if (d->driver && !dmo__driver_is_vfio(d->driver))
				fprintf(out, " match %s", d->driver);
			if (first_name && strcmp(d->name, first_name) == 0)
				fprintf(out, ",other-%s", d->driver);
			fputc('\n', out);
		}
	}
	if (first_drv)
		fprintf(out, "device hotadd.0 %s group %d absent match %s\n",
			first_bus, first_group, first_drv);
	fputs("\nthread plan {\n", out);
	for (size_t i = 0; i < p->nr_steps; i++) {
		const struct dmo__step *s = &p->steps[i];

		/* The wrong order swaps a device's override and unbind. */
		if (wrong && s->kind == DMO_STEP_OVERRIDE &&
		    i + 1 < p->nr_steps &&
		    p->steps[i + 1].kind == DMO_STEP_UNBIND &&
		    p->steps[i + 1].dev == s->dev) {
			write_step(out, p, &p->steps[i + 1], &reg);
			write_step(out, p, s, &reg);
			i++;
			continue;
		}
		write_step(out, p, s, &reg);
	}
	fputs("  # then the VMM opens the group\n", out);
	for (size_t gi = 0; gi < p->nr_groups; gi++)
		fprintf(out, "  r%d = vfio_open %d\n", reg++, p->groups[gi]);
	fputs("}\n", out);
	if (first_drv) {
		fprintf(out, "thread autoprobe {\n  r0 = attach %s\n}\n",
			first_name);
		fprintf(out, "thread modprobe {\n  r0 = load other-%s\n}\n",
			first_drv);
		fputs("thread hotadd {\n  r0 = hotplug hotadd.0\n}\n", out);
	}
	fputc('\n', out);
	if (first_drv)
		fprintf(out,
			"# %s never goes back to %s; it may end on other-%s, whose load\n"
			"# matched it before the override (driver_attach() matches without\n"
			"# device_lock), in either order: the plan's verify step sees that.\n",
			first_name, first_drv, first_drv);
	for (size_t i = 0; i < p->nr_steps; i++) {
		const struct dmo__step *s = &p->steps[i];
		const struct dmo__hdev *d = &h->devs[s->dev];
		const char *sep = nr_cond++ ? " /\\ " : "forall (";

		if (first_name && strcmp(d->name, first_name) == 0) {
			if (s->kind == DMO_STEP_UNBIND)
				fprintf(out, "%sdriver(%s) != %s", sep, d->name,
					first_drv);
			else
				nr_cond--;
		} else if (s->kind == DMO_STEP_PROBE) {
			fprintf(out, "%sdriver(%s) == %s", sep, d->name,
				dmo__vfio_driver(d->bus));
		} else if (s->kind == DMO_STEP_UNBIND &&
			   dmo__dev_is_bridge(d)) {
			fprintf(out, "%sdriver(%s) == none", sep, d->name);
		} else {
			nr_cond--;
		}
	}
	for (size_t gi = 0; !nr_cond && gi < p->nr_groups; gi++) {
		const struct dmo__hgroup *g = dmo__host_group(h, p->groups[gi]);

		for (size_t i = 0; i < g->nr_members; i++) {
			const struct dmo__hdev *d = &h->devs[g->members[i]];

			if (d->driver && dmo__driver_is_vfio(d->driver))
				fprintf(out, "%sdriver(%s) == %s",
					nr_cond++ ? " /\\ " : "forall (",
					d->name, d->driver);
		}
	}
	if (nr_cond)
		fputs(")\n", out);
	/* The race needs the plan's own drivers_probe of that device. */
	racy = false;
	for (size_t i = 0; first_drv && i < p->nr_steps; i++)
		racy |= p->steps[i].kind == DMO_STEP_PROBE &&
			strcmp(h->devs[p->steps[i].dev].name, first_name) == 0;
	racy = racy &&
	       !dmo_kernel_has(dmo_kernel_find(dmo__kver_model(h->kv)),
			       DMO_CHG_DEVICE_SET_DRIVER);
	pol = legacy ? "legacy" : "upstream";
	if (!nr_cond)
		fprintf(out, "expect %s ok\n", pol);
	else if (!racy && !(legacy && first_drv))
		fprintf(out, "expect %s Always\n", pol);
	else
		/* An observation alone: the violations below are the kernel's. */
		fprintf(out, "expect %s condition Always\n", pol);
	if (legacy && first_drv)
		fprintf(out,
			"# 5.18: no ownership in the IOMMU core; the hot-added device's driver\n"
			"# binds while VFIO holds the group (VFIO's BUG_ON).\n"
			"expect %s violation bug\n"
			"expect %s violation isolation\n"
			"expect %s violation warn\n",
			pol, pol, pol);
	if (racy)
		fprintf(out,
			"# drivers_probe tests dev->driver without device_lock, a data race with\n"
			"# the autoprobe's probe storing it before 6.15 (device_set_driver()).\n"
			"expect %s violation race\n",
			pol);
	dmo__strv_free(&buses);
	dmo__strv_free(&drivers);
}
