/* The tuning report (see report.h): the model, its figures, then each
 * renderer's file. */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "report_figures.h"
#include "report_model.h"
#include "report_render.h"

static int mkdir_p(const char *dir)
{
    char buf[PATH_MAX + 32];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Both files, every renderer walking the same model. */
static int render(const report_model *m, const char *html_path, const char *md_path, char *err, size_t err_size)
{
    FILE *html = fopen(html_path, "w"), *md = html ? fopen(md_path, "w") : NULL;
    if (md == NULL) {
        snprintf(err, err_size, "cannot write %s: %s", html ? md_path : html_path, strerror(errno));
        if (html) fclose(html);
        return -1;
    }
    report_renderer renderers[2];
    report_html_init(&renderers[0], html);
    report_markdown_init(&renderers[1], md);
    report_out out = {renderers, 2};
    char now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%d %H:%M:%SZ", gmtime(&t));
    for (size_t i = 0; i < out.n; i++) renderers[i].begin(&renderers[i], m, now);
    report_sections(&out, m);
    for (size_t i = 0; i < out.n; i++) renderers[i].end(&renderers[i]);
    int rc = ferror(html) || ferror(md) ? -1 : 0;
    rc |= fclose(html) != 0 ? -1 : 0;
    rc |= fclose(md) != 0 ? -1 : 0;
    if (rc != 0) snprintf(err, err_size, "cannot write %s or %s", html_path, md_path);
    return rc;
}

int report_write(const report_options *o, char *html_path, size_t path_size, char *err, size_t err_size)
{
    report_model m;
    if (report_model_load(&m, o, err, err_size) != 0) {
        report_model_free(&m);
        return -1;
    }
    char figdir[PATH_MAX + 16], md_path[PATH_MAX + 16];
    snprintf(figdir, sizeof figdir, "%s/figures", o->out_dir);
    snprintf(html_path, path_size, "%s/report.html", o->out_dir);
    snprintf(md_path, sizeof md_path, "%s/report.md", o->out_dir);
    int failed = -1;
    if (mkdir_p(figdir) != 0)
        snprintf(err, err_size, "cannot create %s: %s", figdir, strerror(errno));
    else
        failed = report_figures_draw(&m, o->out_dir, err, err_size);
    int rc = failed < 0 ? -1 : render(&m, html_path, md_path, err, err_size);
    if (rc == 0 && failed > 0) {
        snprintf(err, err_size, "%d figure(s) could not be drawn (is gnuplot installed?)", failed);
        rc = -1;
    }
    int figures = m.figures;
    report_model_free(&m);
    return rc == 0 ? figures : -1;
}
