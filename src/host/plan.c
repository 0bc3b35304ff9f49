// SPDX-License-Identifier: MIT
/*
 * Plans (HOST.md "Plans"): the ordered sysfs writes that hand groups to
 * VFIO, the blockers that make it impossible, and the warnings.
 *
 * The order per device is driver_override, then the unbind, then
 * drivers_probe.  The override comes first because it is what keeps the
 * host driver off the device once it is unbound: with the other order a
 * driver load, a hot-add or anything that probes the device (udev,
 * another tool) can bind the host driver again in the window between the
 * unbind and the override, and the probe then finds the device taken.
 * `dmaown export` writes both orders as scenarios for the explorer.
 *
 * Driverless members get an override only, so that nothing binds them
 * later, unless named on the command line (then they are probed too).
 * Bridges are never probed: vfio-pci refuses a header that is not normal
 * (-EINVAL), so a bridge that must leave its driver is left driverless.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

const char *dmo__step_kind_name(enum dmo__step_kind k)
{
	static const char *const names[] = {
		[DMO_STEP_OVERRIDE] = "override",
		[DMO_STEP_UNBIND] = "unbind",
		[DMO_STEP_PROBE] = "probe",
	};

	return names[k];
}

size_t dmo_host_plan_nr_writes(const struct dmo_host_plan *p)
{
	return p->nr_steps;
}

void dmo_host_plan_free(struct dmo_host_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nr_steps; i++) {
		free(p->steps[i].path);
		free(p->steps[i].value);
		free(p->steps[i].why);
	}
	free(p->steps);
	free(p->groups);
	free(p->devs);
	dmo__strv_free(&p->blockers);
	dmo__strv_free(&p->warnings);
	dmo__strv_free(&p->stays);
	free(p);
}

static int add_step(struct dmo_host_plan *p, enum dmo__step_kind kind,
		    size_t dev, char *path, char *value, char *why)
{
	struct dmo__step *ns;
	bool known = false;

	if (!path || !value || !why)
		goto err;
	ns = realloc(p->steps, (p->nr_steps + 1) * sizeof(*ns));
	if (!ns)
		goto err;
	p->steps = ns;
	ns[p->nr_steps++] = (struct dmo__step){ kind, dev, path, value, why };
	for (size_t i = 0; i < p->nr_devs; i++)
		known |= p->devs[i] == dev;
	if (!known) {
		size_t *nd = realloc(p->devs, (p->nr_devs + 1) * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		p->devs = nd;
		nd[p->nr_devs++] = dev;
	}
	return 0;
err:
	free(path);
	free(value);
	free(why);
	return -ENOMEM;
}

static bool named(const struct dmo__hdev *d, const char *const *targets,
		  size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (strcmp(targets[i], d->name) == 0)
			return true;
	return false;
}

/* The steps for one member; @pass 0 does the driverless, 1 the moves. */
static int plan_member(struct dmo_host_plan *p, size_t idx,
		       const char *const *targets, size_t nr, int pass)
{
	const struct dmo_host *h = p->h;
	const struct dmo__hdev *d = &h->devs[idx];
	const char *vfio = dmo__vfio_driver(d->bus);
	bool bridge = dmo__dev_is_bridge(d);
	unsigned int flags;
	enum dmo__dverdict v = dmo__dev_verdict(h, d, &flags);
	bool pin, probe;
	int ret;

	if (pass == 0) {
		switch (v) {
		case DMO_DV_VFIO:
			return dmo__strv_addf(&p->stays, "%s stays on %s",
					      d->name, d->driver);
		case DMO_DV_MANAGED:
			return dmo__strv_addf(&p->stays,
					      "%s stays on %s: it manages its own DMA",
					      d->name, d->driver);
		case DMO_DV_BRIDGE_OK:
			return dmo__strv_addf(&p->stays,
					      "%s stays on %s: a bridge, which VFIO accepts on any driver up to 5.18",
					      d->name, d->driver);
		default:
			break;
		}
	}
	if (v != (pass == 0 ? DMO_DV_DRIVERLESS : DMO_DV_BLOCKER))
		return 0;
	if (!vfio)
		return dmo__strv_addf(&p->blockers,
				      "%s is on bus %s, which has no VFIO driver",
				      d->name, d->bus);
	if (!d->has_override) {
		if (v == DMO_DV_DRIVERLESS)
			return dmo__strv_addf(&p->warnings,
					      "%s has no driver_override file: nothing keeps a driver from binding it later",
					      d->name);
		return dmo__strv_addf(&p->blockers,
				      "%s has no driver_override file: its driver cannot be pinned to %s",
				      d->name, vfio);
	}
	probe = !bridge && (v == DMO_DV_BLOCKER || named(d, targets, nr));
	if (probe && (flags & DMO_DF_PF_VFS))
		return dmo__strv_addf(&p->blockers,
				      "%s has %d VF%s enabled and %s refuses such a PF (-EBUSY): write 0 to %s/bus/%s/devices/%s/sriov_numvfs first (it removes the VFs)",
				      d->name,
				      d->numvfs > 0 ? d->numvfs : d->nr_vfs,
				      (d->numvfs > 0 ? d->numvfs : d->nr_vfs) ==
						      1 ?
					      "" :
					      "s",
				      vfio, h->root, d->bus, d->name);
	if (probe && !dmo__host_has_driver(h, d->bus, vfio))
		return dmo__strv_addf(&p->blockers,
				      "%s is not loaded (no %s/bus/%s/drivers/%s): modprobe %s first",
				      vfio, h->root, d->bus, vfio, vfio);
	pin = !d->override || strcmp(d->override, vfio) != 0;
	if (pin) {
		ret = add_step(p, DMO_STEP_OVERRIDE, idx,
			       dmo__asprintf("bus/%s/devices/%s/driver_override",
					     d->bus, d->name),
			       dmo__strdup(vfio),
			       v == DMO_DV_DRIVERLESS ?
				       dmo__asprintf("%s has no driver: the override keeps any driver but %s from binding it later",
						     d->name, vfio) :
				       dmo__asprintf("only %s may bind %s from now on: set before the unbind, so that nothing can bind %s back in between",
						     vfio, d->name, d->driver));
		if (ret)
			return ret;
	}
	if (v == DMO_DV_BLOCKER) {
		ret = add_step(p, DMO_STEP_UNBIND, idx,
			       dmo__asprintf("bus/%s/drivers/%s/unbind", d->bus,
					     d->driver),
			       dmo__strdup(d->name),
			       bridge ? dmo__asprintf("release the bridge %s from %s; %s does not take bridges, so it stays driverless",
						      d->name, d->driver,
						      vfio) :
					dmo__asprintf("release %s from %s (the override keeps %s from taking it back)",
						      d->name, d->driver,
						      d->driver));
		if (ret)
			return ret;
	}
	if (probe) {
		ret = add_step(p, DMO_STEP_PROBE, idx,
			       dmo__asprintf("bus/%s/drivers_probe", d->bus),
			       dmo__strdup(d->name),
			       dmo__asprintf("probe %s: %s binds it, as the override says (apply then checks its driver link)",
					     d->name, vfio));
		if (ret)
			return ret;
	}
	return 0;
}

static int plan_group(struct dmo_host_plan *p, int id,
		      const char *const *targets, size_t nr, bool force)
{
	const struct dmo_host *h = p->h;
	const struct dmo__hgroup *g = dmo__host_group(h, id);
	struct dmo__gjudge j;
	int ret;

	ret = dmo__group_judge(h, g, &j);
	if (ret)
		return ret;
	switch (j.verdict) {
	case DMO_GV_UNREADABLE:
		ret = dmo__strv_addf(&p->blockers,
				     "group %d cannot be judged: %s", id,
				     j.reason);
		goto out;
	case DMO_GV_REFUSED:
		ret = dmo__strv_addf(&p->blockers, "group %d is refused: %s",
				     id, j.reason);
		goto out;
	case DMO_GV_OWNED:
		ret = dmo__strv_addf(&p->warnings,
				     "group %d is in use: %s", id, j.reason);
		break;
	case DMO_GV_BLOCKED:
		if (!force) {
			ret = dmo__strv_addf(&p->blockers,
					     "group %d: %s; give --force to take it from the host all the same",
					     id, j.reason);
			goto out;
		}
		ret = dmo__strv_addf(&p->warnings,
				     "--force: taking from the host what it needs: %s",
				     j.reason + strlen("the host needs "));
		break;
	default:
		break;
	}
	for (size_t i = 0; !ret && i < j.warnings.nr; i++)
		if (!dmo__strv_has(&p->warnings, j.warnings.v[i]))
			ret = dmo__strv_add(&p->warnings, j.warnings.v[i]);
	for (int pass = 0; !ret && pass < 2; pass++)
		for (size_t i = 0; !ret && i < g->nr_members; i++)
			ret = plan_member(p, g->members[i], targets, nr, pass);
out:
	dmo__gjudge_free(&j);
	return ret;
}

int dmo_host_plan_vfio(const struct dmo_host *h, const char *const *targets,
		       size_t nr, bool force, struct dmo_host_plan **out,
		       char *err, size_t errlen)
{
	struct dmo_host_plan *p = calloc(1, sizeof(*p));
	int ret = 0;

	if (!p) {
		dmo__errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->h = h;
	for (size_t i = 0; i < nr; i++) {
		bool seen = false;
		int group, *ng;

		ret = dmo_host_target(h, targets[i], &group, err, errlen);
		if (ret)
			goto err;
		if (group < 0) {
			ret = dmo__strv_addf(&p->blockers,
					     "%s is in no IOMMU group: VFIO cannot take it",
					     targets[i]);
			if (ret)
				goto err;
			continue;
		}
		for (size_t k = 0; k < p->nr_groups; k++)
			seen |= p->groups[k] == group;
		if (seen)
			continue;
		ng = realloc(p->groups, (p->nr_groups + 1) * sizeof(*ng));
		if (!ng) {
			ret = -ENOMEM;
			goto err;
		}
		p->groups = ng;
		ng[p->nr_groups++] = group;
	}
	for (size_t i = 0; i < p->nr_groups; i++) {
		ret = plan_group(p, p->groups[i], targets, nr, force);
		if (ret)
			goto err;
	}
	*out = p;
	return p->blockers.nr ? 1 : 0;
err:
	if (ret == -ENOMEM)
		dmo__errf(err, errlen, "out of memory");
	dmo_host_plan_free(p);
	return ret;
}

static const char *verify_text(const struct dmo_host_plan *p,
			       const struct dmo__step *s, char *buf,
			       size_t len)
{
	const struct dmo__hdev *d = &p->h->devs[s->dev];

	switch (s->kind) {
	case DMO_STEP_OVERRIDE:
		snprintf(buf, len, "driver_override of %s reads %s", d->name,
			 s->value);
		break;
	case DMO_STEP_UNBIND:
		snprintf(buf, len, "%s has no driver", d->name);
		break;
	case DMO_STEP_PROBE:
		snprintf(buf, len, "%s is on %s", d->name,
			 dmo__vfio_driver(d->bus));
		break;
	}
	return buf;
}

static void print_json(const struct dmo_host_plan *p, FILE *out)
{
	fputs("{\"groups\":[", out);
	for (size_t i = 0; i < p->nr_groups; i++)
		fprintf(out, "%s%d", i ? "," : "", p->groups[i]);
	fprintf(out, "],\"possible\":%s,\"kernel\":",
		p->blockers.nr ? "false" : "true");
	dmo__json_str(out, p->h->kernel);
	fputs(",\"steps\":[", out);
	for (size_t i = 0; !p->blockers.nr && i < p->nr_steps; i++) {
		const struct dmo__step *s = &p->steps[i];
		const struct dmo__hdev *d = &p->h->devs[s->dev];
		char *abs = dmo__host_abs(p->h, s->path);
		char buf[600];

		fputs(i ? ",{\"write\":" : "{\"write\":", out);
		dmo__json_str(out, abs ? abs : s->path);
		free(abs);
		fputs(",\"value\":", out);
		dmo__json_str(out, s->value);
		fputs(",\"why\":", out);
		dmo__json_str(out, s->why);
		fprintf(out, ",\"step\":\"%s\",\"device\":",
			dmo__step_kind_name(s->kind));
		dmo__json_str(out, d->name);
		fputs(",\"verify\":", out);
		dmo__json_str(out, verify_text(p, s, buf, sizeof(buf)));
		fputc('}', out);
	}
	fputs("],\"stays\":[", out);
	for (size_t i = 0; i < p->stays.nr; i++) {
		if (i)
			fputc(',', out);
		dmo__json_str(out, p->stays.v[i]);
	}
	fputs("],\"blockers\":[", out);
	for (size_t i = 0; i < p->blockers.nr; i++) {
		if (i)
			fputc(',', out);
		dmo__json_str(out, p->blockers.v[i]);
	}
	fputs("],\"warnings\":[", out);
	for (size_t i = 0; i < p->warnings.nr; i++) {
		if (i)
			fputc(',', out);
		dmo__json_str(out, p->warnings.v[i]);
	}
	fputs("]}\n", out);
}

void dmo_host_plan_print(const struct dmo_host_plan *p, bool json, FILE *out)
{
	int moves = 0;

	if (json) {
		print_json(p, out);
		return;
	}
	for (size_t i = 0; i < p->nr_steps; i++)
		moves += p->steps[i].kind == DMO_STEP_UNBIND;
	fputs(p->nr_groups > 1 ? "# groups " : "# group ", out);
	for (size_t i = 0; i < p->nr_groups; i++)
		fprintf(out, "%s%d",
			i == 0			? "" :
			i + 1 == p->nr_groups ? " and " :
						", ",
			p->groups[i]);
	if (!p->nr_groups)
		fputs("none (no target is in a group)", out);
	fprintf(out, " to VFIO, kernel %s, %s\n", p->h->kernel,
		p->h->rule == DMO_RULE_OWNERSHIP ? "5.19+ rule" : "5.18 rule");
	for (size_t i = 0; i < p->stays.nr; i++)
		fprintf(out, "# %s\n", p->stays.v[i]);
	if (p->blockers.nr) {
		fputs("# no plan: it cannot be done\n", out);
	} else if (!p->nr_steps) {
		fputs("# nothing to write: no member needs to change\n", out);
	} else {
		fprintf(out, "# %zu write%s, %d move%s\n", p->nr_steps,
			p->nr_steps == 1 ? "" : "s", moves,
			moves == 1 ? "" : "s");
		for (size_t i = 0; i < p->nr_steps; i++) {
			char *abs = dmo__host_abs(p->h, p->steps[i].path);

			fprintf(out, "write %s %s  # %s\n",
				abs ? abs : p->steps[i].path,
				p->steps[i].value, p->steps[i].why);
			free(abs);
		}
	}
	for (size_t i = 0; i < p->blockers.nr; i++)
		fprintf(out, "blocker: %s\n", p->blockers.v[i]);
	for (size_t i = 0; i < p->warnings.nr; i++)
		fprintf(out, "warning: %s\n", p->warnings.v[i]);
}
