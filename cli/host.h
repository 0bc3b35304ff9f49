/* SPDX-License-Identifier: MIT */
/*
 * The host commands of dmaown (cli/host.c): groups, plan, apply, undo,
 * export.  cli/dmaown.c dispatches to them.
 */
#ifndef DMAOWN_CLI_HOST_H
#define DMAOWN_CLI_HOST_H

#include <stdbool.h>

/* Whether @cmd is a host command. */
bool dmaown_is_host_command(const char *cmd);

/* Prints the --help text of host command @cmd; false when it is none. */
bool dmaown_host_help(const char *cmd);

/* Runs host command @cmd on its arguments; the exit status. */
int dmaown_host_main(const char *cmd, int argc, char **argv);

#endif /* DMAOWN_CLI_HOST_H */
