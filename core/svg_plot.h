/* SPDX-License-Identifier: MIT */
/*
 * Plots as SVG files a browser opens: grouped bars (one group per
 * category, one bar per series, a linear or a logarithmic axis) and lines
 * over time. Enough for a study's figures, with nothing to install.
 */
#ifndef MHSE_SVG_PLOT_H
#define MHSE_SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>

struct svg_bars {
	const char *title, *ylabel;
	bool log_scale;             /* values <= 0 are left out */
	const char *const *groups;  /* categories along x */
	size_t group_cnt;
	const char *const *series;  /* one bar of each group, in the legend */
	size_t series_cnt;
	const double *values;       /* [group * series_cnt + series]; NaN: no bar */
};

struct svg_point {
	double x, y;
};

struct svg_lines {
	const char *title, *xlabel, *ylabel;
	const char *const *series;
	const struct svg_point *const *points; /* per series, x ascending */
	const size_t *point_cnt;
	size_t series_cnt;
};

/* Write path. 0 or a negative errno after logging. */
int svg_plot__bars(const char *path, const struct svg_bars *b);
int svg_plot__lines(const char *path, const struct svg_lines *l);

#endif
