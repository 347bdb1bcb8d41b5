/* The report's figures, drawn by gnuplot (see report_figures.c). */
#ifndef SLOTKIT_HARNESS_REPORT_FIGURES_H
#define SLOTKIT_HARNESS_REPORT_FIGURES_H

#include "report_model.h"

/* Draws every numbered figure of m; <out_dir>/figures/ must exist. Returns
 * how many could not be drawn, or -1 with the reason in err. */
int report_figures_draw(report_model *m, const char *out_dir, char *err, size_t err_size);

#endif
