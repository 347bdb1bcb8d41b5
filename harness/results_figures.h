/* The interleaved figures of a bench run (docs/results-schema.md, "Figures
 * beside the limit and the peer"). slotkit-bench writes figures.json beside
 * gbench.json: for every case it measured in rounds, each round's limit,
 * backend figure and native iceoryx2 figure, and the placement class the
 * round's cache-line limit indicates. The document keeps them as `peer` and
 * `figures`, and adds one sample set per case with metric "x_limit" (one
 * value per round, `placement_classes` beside), which the gate compares
 * instead of absolute times. figures.json is input from anywhere: every field
 * is checked before anything is taken from it. */
#ifndef SLOTKIT_HARNESS_RESULTS_FIGURES_H
#define SLOTKIT_HARNESS_RESULTS_FIGURES_H

#include <json-c/json.h>
#include <stddef.h>

#define RESULTS_FIGURES_SCHEMA "slotkit-bench-figures"
#define RESULTS_FIGURES_VERSION 1
#define RESULTS_FIGURES_MAX_ROUNDS 1000

/* Reads and checks figures.json; NULL with the reason in err. */
json_object *results_figures_load(const char *path, char *err, size_t err_size);

/* Checks a document's optional `peer` and `figures` (absent is fine). */
int results_figures_check(json_object *doc, char *err, size_t err_size);

/* Moves the checked file's peer and figures into doc and adds each figure's
 * x_limit sample set to samples (its case is attached later, by name). */
void results_figures_attach(json_object *doc, json_object *figures);

/* The document's figure of a case (by run_name); NULL if none. */
json_object *results_figure_find(json_object *doc, const char *name);

#endif
