/* The steps report_model_load() takes, for the files that make up the model. */
#ifndef SLOTKIT_HARNESS_REPORT_MODEL_INTERNAL_H
#define SLOTKIT_HARNESS_REPORT_MODEL_INTERNAL_H

#include "report_model.h"

/* report_model.c: a backend's rows, instruction counts and variation. */
void report_model_rows(report_backend *b);
/* report_model.c: the limits, from the rows of every backend. */
void report_model_limits(report_model *m);
/* report_model.c: a backend's throughput series and what it has to show. */
void report_model_backend(report_backend *b, const report_limits *l);
/* report_prose.c: figure titles and captions, once the figures are numbered. */
void report_model_captions(report_model *m);

#endif
