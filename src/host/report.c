// SPDX-License-Identifier: MIT
/*
 * The report of `dmaown groups` (HOST.md "Text output" and --json).
 *
 * Text: a header naming the kernel version, where it came from and the
 * rule it picks, then the machine-level warnings, then per group its
 * ls-iommu lines, one verdict line per member, the group's verdict line
 * and its warnings and notes.  JSON: one object per line, the machine's
 * first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

/* "blocker nouveau, host-critical (...), no-reset" */
static void dev_verdict_text(const struct dmo_host *h,
			     const struct dmo__hdev *d, FILE *out)
{
	unsigned int flags;
	enum dmo__dverdict v = dmo__dev_verdict(h, d, &flags);

	fputs(dmo__dverdict_name(v), out);
	if (v == DMO_DV_BLOCKER)
		fprintf(out, " %s", d->driver);
	if (flags & DMO_DF_CRITICAL)
		fprintf(out, ", host-critical (%s)", d->critical);
	if (flags & DMO_DF_NO_RESET)
		fputs(", no-reset", out);
	if (flags & DMO_DF_PF_VFS)
		fprintf(out, ", pf-with-vfs (%d)",
			d->numvfs > 0 ? d->numvfs : d->nr_vfs);
}

static void ls_line(const struct dmo_host *h, const struct dmo__hdev *d,
		    int group, FILE *out)
{
	char name[512];

	fprintf(out, "IOMMU Group %d: %s ", group, d->name);
	if (d->pci && d->have_class && d->have_ids) {
		dmo__host_pci_name(h, d, name, sizeof(name));
		fprintf(out, "[%04x]: %s [%04x:%04x]", d->class >> 8, name,
			d->vendor, d->device);
	} else if (d->pci) {
		fputs("[????]: unreadable IDs", out);
	} else {
		fprintf(out, "[%s]:", d->bus);
	}
	fprintf(out, " driver=%s\n", d->driver ? d->driver : "none");
}

static void group_text(const struct dmo_host *h, const struct dmo__hgroup *g,
		       FILE *out)
{
	struct dmo__gjudge j;

	for (size_t i = 0; i < g->nr_members; i++)
		ls_line(h, &h->devs[g->members[i]], g->id, out);
	if (!g->nr_members)
		fprintf(out, "IOMMU Group %d: no devices\n", g->id);
	for (size_t i = 0; i < g->nr_members; i++) {
		const struct dmo__hdev *d = &h->devs[g->members[i]];

		fprintf(out, "  %s: ", d->name);
		dev_verdict_text(h, d, out);
		fputc('\n', out);
	}
	if (dmo__group_judge(h, g, &j)) {
		fprintf(out, "group %d: (out of memory)\n", g->id);
		return;
	}
	fprintf(out, "group %d: ", g->id);
	switch (j.verdict) {
	case DMO_GV_MOVES:
		fprintf(out, "needs %d move%s: %s\n", j.moves,
			j.moves == 1 ? "" : "s", j.reason);
		break;
	case DMO_GV_VIABLE:
		fputs("viable\n", out);
		break;
	default:
		fprintf(out, "%s: %s\n", dmo__gverdict_name(j.verdict),
			j.reason);
		break;
	}
	for (size_t i = 0; i < j.warnings.nr; i++)
		fprintf(out, "  warning: %s\n", j.warnings.v[i]);
	for (size_t i = 0; i < j.notes.nr; i++)
		fprintf(out, "  note: %s\n", j.notes.v[i]);
	dmo__gjudge_free(&j);
}

static void json_strv(FILE *out, const struct dmo__strv *l)
{
	fputc('[', out);
	for (size_t i = 0; i < l->nr; i++) {
		if (i)
			fputc(',', out);
		dmo__json_str(out, l->v[i]);
	}
	fputc(']', out);
}

static void dev_json(const struct dmo_host *h, const struct dmo__hdev *d,
		     FILE *out)
{
	unsigned int flags;
	enum dmo__dverdict v = dmo__dev_verdict(h, d, &flags);
	char buf[16];
	bool first = true;

	fputs("{\"name\":", out);
	dmo__json_str(out, d->name);
	fputs(",\"bus\":", out);
	dmo__json_str(out, d->bus);
	if (d->pci && d->have_class) {
		snprintf(buf, sizeof(buf), "%04x", d->class >> 8);
		fputs(",\"class\":", out);
		dmo__json_str(out, buf);
	} else {
		fputs(",\"class\":null", out);
	}
	if (d->pci && d->have_ids)
		fprintf(out, ",\"vendor\":\"%04x\",\"device\":\"%04x\"",
			d->vendor, d->device);
	else
		fputs(",\"vendor\":null,\"device\":null", out);
	fputs(",\"driver\":", out);
	dmo__json_str(out, d->driver);
	fputs(",\"override\":", out);
	dmo__json_str(out, d->override);
	fputs(",\"verdict\":", out);
	dmo__json_str(out, dmo__dverdict_name(v));
	fputs(",\"flags\":[", out);
	if (flags & DMO_DF_CRITICAL) {
		fputs("\"host-critical\"", out);
		first = false;
	}
	if (flags & DMO_DF_NO_RESET) {
		fputs(first ? "\"no-reset\"" : ",\"no-reset\"", out);
		first = false;
	}
	if (flags & DMO_DF_PF_VFS)
		fputs(first ? "\"pf-with-vfs\"" : ",\"pf-with-vfs\"", out);
	fputc(']', out);
	if (flags & DMO_DF_CRITICAL) {
		fputs(",\"host_critical\":", out);
		dmo__json_str(out, d->critical);
	}
	fputs(",\"findings\":", out);
	json_strv(out, &d->findings);
	fputc('}', out);
}

static void group_json(const struct dmo_host *h, const struct dmo__hgroup *g,
		       FILE *out)
{
	struct dmo__gjudge j;

	if (dmo__group_judge(h, g, &j))
		return;
	fprintf(out, "{\"group\":%d,\"verdict\":\"%s\",\"moves\":%d,", g->id,
		dmo__gverdict_name(j.verdict), j.moves);
	fputs("\"reason\":", out);
	dmo__json_str(out, j.reason);
	fputs(",\"type\":", out);
	dmo__json_str(out, g->type);
	fputs(",\"owner\":", out);
	dmo__json_str(out, g->owner);
	fputs(",\"reserved_regions\":[", out);
	for (size_t i = 0; i < g->nr_regions; i++) {
		fprintf(out,
			"%s{\"start\":\"0x%016llx\",\"end\":\"0x%016llx\",\"type\":",
			i ? "," : "", (unsigned long long)g->regions[i].start,
			(unsigned long long)g->regions[i].end);
		dmo__json_str(out, g->regions[i].type);
		fputc('}', out);
	}
	fputs("],\"devices\":[", out);
	for (size_t i = 0; i < g->nr_members; i++) {
		if (i)
			fputc(',', out);
		dev_json(h, &h->devs[g->members[i]], out);
	}
	fputs("],\"warnings\":", out);
	json_strv(out, &j.warnings);
	fputs(",\"notes\":", out);
	json_strv(out, &j.notes);
	fputs("}\n", out);
	dmo__gjudge_free(&j);
}

static void machine_json(const struct dmo_host *h, FILE *out)
{
	fputs("{\"machine\":{\"sysfs\":", out);
	dmo__json_str(out, h->root);
	fputs(",\"kernel\":", out);
	dmo__json_str(out, h->kernel);
	fputs(",\"kernel_from\":", out);
	dmo__json_str(out, h->kernel_from);
	fprintf(out, ",\"rule\":\"%s\",\"groups\":%zu,\"findings\":",
		h->rule == DMO_RULE_OWNERSHIP ? "5.19+" : "5.18", h->nr_groups);
	json_strv(out, &h->findings);
	fputs("}}\n", out);
}

void dmo__host_header(const struct dmo_host *h, FILE *out)
{
	fprintf(out, "kernel %s (from %s), so %s\n", h->kernel,
		h->kernel_from, dmo__rule_text(h));
	for (size_t i = 0; i < h->findings.nr; i++)
		fprintf(out, "warning: %s\n", h->findings.v[i]);
}

void dmo_host_groups(const struct dmo_host *h, const int *groups, size_t nr,
		     bool json, FILE *out)
{
	size_t n = groups ? nr : h->nr_groups;

	if (json)
		machine_json(h, out);
	else
		dmo__host_header(h, out);
	for (size_t i = 0; i < n; i++) {
		const struct dmo__hgroup *g =
			groups ? dmo__host_group(h, groups[i]) : &h->groups[i];

		if (!g)
			continue;
		if (json) {
			group_json(h, g, out);
		} else {
			fputc('\n', out);
			group_text(h, g, out);
		}
	}
}
