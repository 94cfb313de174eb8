/*
 * intaked - the intake daemon.
 *
 * This build knows the offline half of the job: it loads and checks the
 * configuration and campaign, takes the state directory's lock, and
 * records every message that reached the spool but not the ledger (the
 * crash-recovery pass every start makes).  Polling the mailbox over IMAP
 * comes with the IMAP work.
 *
 *   intaked -c CONF [--once]      recover, then exit
 *   intaked -c CONF --check-config
 *   intaked --version
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

int main(int argc, char **argv)
{
	const char *conf = NULL;
	bool check = false;
	struct app a;
	char err[1024] = "";
	unsigned n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--check-config") == 0)
			check = true;
		else if (strcmp(argv[i], "--once") == 0)
			;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("intaked %s\n", INTAKE_VERSION);
			return 0;
		} else {
			fprintf(stderr, "usage: intaked -c CONF [--once | --check-config] | --version\n");
			return 2;
		}
	}
	if (!conf) {
		fprintf(stderr, "usage: intaked -c CONF [--once | --check-config] | --version\n");
		return 2;
	}
	if (app_load(&a, conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "intaked: %s\n", err);
		app_close(&a);
		return 1;
	}
	if (check) {
		printf("config %s: ok\ncampaign %s: ok (%zu items, %zu counties)\n", conf,
		       a.cfg->campaign, a.camp->nitems, a.camp->ncounties);
		app_close(&a);
		return 0;
	}
	if (app_open_state(&a, false, err, sizeof(err)) != 0 ||
	    ingest_recover(&a.ingest, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "intaked: %s\n", err);
		app_close(&a);
		return 1;
	}
	fprintf(stderr, "intaked: recovery: %u spooled message(s) recorded\n", n);
	app_close(&a);
	return 0;
}
