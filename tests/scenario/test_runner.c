// SPDX-License-Identifier: MIT
/*
 * dmo_scenario_check(), dmo_scenario_replay() and dmo_scenario_run() through
 * the public API: return values, summary lines and the JSON line, on
 * scenarios small enough that their executions can be counted by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmaown.h"
#include "tap.h"

/* Two owners race for one driverless group: two orders, two outcomes. */
static const char race[] =
	"test race\n"
	"bus pci\n"
	"device d0 pci group 4\n"
	"thread P0 {\n  r0 = claim 4 alice\n}\n"
	"thread P1 {\n  r0 = claim 4 bob\n}\n"
	"exists (P0:r0 == 0 /\\ P1:r0 == 0)\n"
	"expect Never\n";

/* The same file, wrongly expecting both claims to win sometimes. */
static const char race_wrong[] =
	"test race-wrong\n"
	"bus pci\n"
	"device d0 pci group 4\n"
	"thread P0 {\n  r0 = claim 4 alice\n}\n"
	"thread P1 {\n  r0 = claim 4 bob\n}\n"
	"exists (P0:r0 == 0 /\\ P1:r0 == 0)\n"
	"expect Sometimes\n";

static struct dmo_scenario *parse(const char *text)
{
	struct dmo_scenario *sc = NULL;
	char err[256];

	if (dmo_scenario_parse_buffer("t.own", text, strlen(text), &sc, err,
				      sizeof(err)))
		diag("parse: %s", err);
	return sc;
}

/* Runs check into a string; *ret gets its return value. */
static char *check(const struct dmo_scenario *sc, struct dmo_check_opts *o,
		   int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*ret = dmo_scenario_check(sc, DMO_POLICY_UPSTREAM, o, f);
	fclose(f);
	return buf;
}

/* The last line of @s, with " time=..." cut off. */
static const char *summary(char *s)
{
	size_t n = strlen(s);
	char *p;

	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	p = strrchr(s, '\n');
	p = p ? p + 1 : s;
	if (strstr(p, " time="))
		*strstr(p, " time=") = '\0';
	return p;
}

int main(void)
{
	struct dmo_scenario *ok_sc = parse(race);
	struct dmo_scenario *bad_sc = parse(race_wrong);
	struct dmo_check_opts o = { .quiet = true };
	char err[256] = "";
	char *out, *t;
	int ret;

	if (!ok(ok_sc && bad_sc, "the scenarios parse"))
		return done_testing();

	out = check(ok_sc, &o, &ret);
	is_int(ret, 0, "an expectation that holds returns 0");
	is_str(summary(out), "ok race upstream kernel=6.17 executions=2 states=2 "
	       "observation=Never expect=PASS", "its summary line");
	free(out);

	out = check(bad_sc, &o, &ret);
	is_int(ret, 1, "a failed expectation returns 1");
	is_str(summary(out), "ok race-wrong upstream kernel=6.17 executions=2 states=2 "
	       "observation=Never expect=FAIL", "its summary line");
	free(out);

	o.explore.max_executions = 1;
	out = check(ok_sc, &o, &ret);
	is_int(ret, 3, "a search cut by a limit returns 3");
	is_str(summary(out), "incomplete race upstream kernel=6.17 executions=1 "
	       "states=1 observation=Never "
	       "expect=INCOMPLETE:held=0,unjudged=1 "
	       "stopped=max-executions:1", "and is reported incomplete");
	free(out);

	out = check(bad_sc, &o, &ret);
	is_int(ret, 3, "a cut search cannot refute Sometimes yet");
	free(out);

	o.explore.max_executions = 0;
	o.json = true;
	out = check(ok_sc, &o, &ret);
	t = strstr(out, ",\"time\":");
	if (t)
		strcpy(t, "}");
	is_str(out, "{\"test\":\"race\",\"policy\":\"upstream\",\"kernel\":\"6.17\","
	       "\"result\":\"ok\",\"executions\":2,\"states\":2,"
	       "\"cut\":0,\"observation\":\"Never\",\"violations\":[],"
	       "\"expect\":\"PASS\",\"expectations\":[{\"where\":"
	       "\"t.own:11\",\"expect\":\"expect Never\",\"verdict\":"
	       "\"HELD\",\"why\":\"the condition held in 0 of 2 executions "
	       "explored (Never)\"}],\"stopped\":null}", "the JSON line");
	free(out);

	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ret = dmo_scenario_replay(ok_sc, DMO_POLICY_UPSTREAM,
					  "no such schedule", -1, f, err,
					  sizeof(err));
		fclose(f);
		free(buf);
	}
	is_int(ret, -EINVAL, "a schedule that does not fit is refused");
	ok(err[0] != '\0', "with a message: %s", err);

	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ret = dmo_scenario_run(ok_sc, DMO_POLICY_UPSTREAM, 20, 7, NULL,
				       f);
		fclose(f);
		is_int(ret, 0, "20 real-thread runs see only listed states");
		ok(strstr(buf, "\nSeed 7\n") != NULL, "the seed is printed");
		free(buf);
	}

	dmo_scenario_free(ok_sc);
	dmo_scenario_free(bad_sc);
	return done_testing();
}
