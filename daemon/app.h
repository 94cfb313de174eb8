/*
 * app.h - what both programs set up from -c CONF: config, campaign, spool
 * (with its lock) and ledger.
 */
#ifndef INTAKE_APP_H
#define INTAKE_APP_H

#include <stdbool.h>
#include "campaign.h"
#include "config.h"
#include "ingest.h"
#include "ledger.h"
#include "spool.h"

#define INTAKE_VERSION "0.1.0"

struct app {
	struct config *cfg;
	struct campaign *camp;
	struct spool *spool;
	struct ledger *ledger;
	struct ingest ingest;
	struct reply_templates *replies;   /* campaign [replies], NULL if none */
};

/* Load config, campaign and its reply templates only (no state touched). */
int app_load(struct app *a, const char *conf, char *err, size_t errlen);
/* Also open the state directory (lock) and the ledger. */
int app_open_state(struct app *a, bool wait_lock, char *err, size_t errlen);
void app_close(struct app *a);

/*
 * Tesseract's OpenMP runtime (libgomp) reads OMP_THREAD_LIMIT when it is
 * loaded, before main(): unless the environment already says so (the
 * systemd unit does), start this program again with it set to 1, so OCR
 * in the parse child runs on one thread (its CPU limit, the seccomp
 * filter, and a fork never inheriting a thread pool).  Returns only when
 * nothing needed doing or exec failed.
 */
void app_pin_openmp(char **argv);

/* Read a whole small file (campaign, config); malloc'd. */
char *app_read_file(const char *path, size_t max, size_t *len_r, char *err, size_t errlen);

#endif
