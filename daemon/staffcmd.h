/*
 * staffcmd.h - intakectl's commands for bureau staff: report, list, show,
 * assign, mark-paper, export, reprocess, log.  Argument parsing and the
 * Chinese output; the work is in reportdb.c, staff.c and reprocess.c.
 *
 * Exit codes as intakectl's: 0 ok, 1 runtime error, 2 usage.
 */
#ifndef INTAKE_STAFFCMD_H
#define INTAKE_STAFFCMD_H

#include <stdbool.h>
#include <stdio.h>
#include "app.h"

/* True when name is one of these commands. */
bool staffcmd_known(const char *name);
/* argv[0] is the command name. */
int staffcmd_run(struct app *a, int argc, char **argv);
/* Usage lines for intakectl's help. */
void staffcmd_usage(FILE *f);

#endif
