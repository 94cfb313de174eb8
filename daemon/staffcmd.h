/*
 * staffcmd.h - intakectl's commands for bureau staff: report, list, show,
 * assign, mark-paper, export, reprocess, log.  Argument parsing and the
 * Chinese output; the work is in reportdb.c, staff.c and reprocess.c.
 *
 * Exit codes as intakectl's: 0 ok, 1 runtime error, 2 usage.
 */
#ifndef INTAKE_STAFFCMD_H
#define INTAKE_STAFFCMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "app.h"

/* True when name is one of these commands. */
bool staffcmd_known(const char *name);
/* argv[0] is the command name. */
int staffcmd_run(struct app *a, int argc, char **argv);
/* Usage lines for intakectl's help. */
void staffcmd_usage(FILE *f);

/* ---- shared with intakectl's own commands ---- */

/* app_open_state(), waiting for the lock; the error on stderr.  -1 on
 * failure. */
int staffcmd_open_state(struct app *a);
/* The arguments after a listing command's name: --json, and one dossier
 * id ("12" or "#12", *id_r = 0 when none) when id_r is not NULL.  -1 on
 * any other argument. */
int staffcmd_list_args(int argc, char **argv, long long *id_r, bool *as_json_r);
/* j as indented JSON and a newline on stdout: 0, or 1 when it could not
 * be written. */
int staffcmd_print_json(json_t *j);

#endif
