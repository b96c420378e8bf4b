// SPDX-License-Identifier: MIT
/*
 * SVG plots (svg_plot.h). An axis maps values to pixels linearly, or
 * linearly in log10 for a logarithmic one; ticks fall on round numbers
 * (1, 2 or 5 times a power of ten) or on every power of ten.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "json_writer.h"
#include "svg_plot.h"

#define LEFT 80
#define TOP 40
#define PLOT_H 320
#define BOTTOM 200 /* room for labels turned 60 degrees */
#define LEGEND_W 190

static const char *const palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
				       "#9467bd", "#8c564b", "#e377c2", "#7f7f7f" };

struct axis {
	double lo, hi;
	bool log;
};

static double axis_pos(const struct axis *a, double v)
{
	double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);

	return TOP + PLOT_H - t * PLOT_H;
}

/* A round step giving about five ticks over span. */
static double round_step(double span)
{
	double p = pow(10, floor(log10(span / 5))), m = span / 5 / p;

	return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

static void axis_fit(struct axis *a, double lo, double hi, bool log_scale)
{
	a->log = log_scale;
	if (log_scale) {
		a->lo = pow(10, floor(log10(lo)));
		a->hi = pow(10, ceil(log10(hi)));
		if (a->hi <= a->lo)
			a->hi = a->lo * 10;
		return;
	}
	a->lo = lo < 0 ? lo : 0;
	a->hi = hi > a->lo ? hi : a->lo + 1;
	a->hi = ceil(a->hi / round_step(a->hi - a->lo)) * round_step(a->hi - a->lo);
}

/* Text, escaped for XML. */
static void text(FILE *f, double x, double y, const char *attrs, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
	fputs("</text>\n", f);
}

static void y_axis(FILE *f, const struct axis *a, double right, const char *label)
{
	char buf[32];

	if (a->log) {
		for (double v = a->lo; v <= a->hi * 1.0001; v *= 10) {
			double y = axis_pos(a, v);

			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y, right, y);
			snprintf(buf, sizeof(buf), "%g", v);
			text(f, LEFT - 6, y + 4, "text-anchor=\"end\" font-size=\"11\"", buf);
		}
	} else {
		double step = round_step(a->hi - a->lo);

		for (double v = a->lo; v <= a->hi + step / 1000; v += step) {
			double y = axis_pos(a, v);

			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y, right, y);
			snprintf(buf, sizeof(buf), "%g", v);
			text(f, LEFT - 6, y + 4, "text-anchor=\"end\" font-size=\"11\"", buf);
		}
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", LEFT, TOP, LEFT, TOP + PLOT_H);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", LEFT, TOP + PLOT_H, right,
		TOP + PLOT_H);
	fprintf(f, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">", TOP + PLOT_H / 2);
	fprintf(f, "%s</text>\n", label);
}

static void legend(FILE *f, double x, const char *const *series, size_t cnt)
{
	for (size_t s = 0; s < cnt; s++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%zu\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x, TOP + s * 18,
			palette[s % 8]);
		text(f, x + 18, (double)(TOP + s * 18 + 11), "font-size=\"12\"", series[s]);
	}
}

static FILE *open_svg(const char *path, double width, const char *title)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return NULL;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" font-family=\"sans-serif\">\n",
		width, TOP + PLOT_H + BOTTOM);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	text(f, LEFT, 22, "font-size=\"15\" font-weight=\"bold\"", title);
	return f;
}

static int close_svg(FILE *f, const char *path)
{
	fputs("</svg>\n", f);
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: write failed\n", path);
		return -EIO;
	}
	return 0;
}

int svg_plot__bars(const char *path, const struct svg_bars *b)
{
	double bar_w = 10, group_w = bar_w * (double)b->series_cnt + 8;
	double plot_w = fmax(400, group_w * (double)b->group_cnt), lo = INFINITY, hi = -INFINITY;
	struct axis a;
	FILE *f;

	for (size_t i = 0; i < b->group_cnt * b->series_cnt; i++) {
		double v = b->values[i];

		if (isnan(v) || (b->log_scale && v <= 0))
			continue;
		lo = fmin(lo, v);
		hi = fmax(hi, v);
	}
	if (!isfinite(lo))
		lo = hi = 1;
	axis_fit(&a, lo, hi, b->log_scale);
	f = open_svg(path, LEFT + plot_w + LEGEND_W, b->title);
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	y_axis(f, &a, LEFT + plot_w, b->ylabel);
	for (size_t g = 0; g < b->group_cnt; g++) {
		double x0 = LEFT + (double)g * group_w + 4;
		char attrs[160];

		for (size_t s = 0; s < b->series_cnt; s++) {
			double v = b->values[g * b->series_cnt + s], y;

			if (isnan(v) || (b->log_scale && v <= 0))
				continue;
			y = axis_pos(&a, v);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%g</title></rect>\n",
				x0 + (double)s * bar_w, y, bar_w - 1, TOP + PLOT_H - y, palette[s % 8], v);
		}
		snprintf(attrs, sizeof(attrs), "transform=\"rotate(-60 %.1f %d)\" text-anchor=\"end\" font-size=\"10\"",
			 x0 + group_w / 2, TOP + PLOT_H + 12);
		text(f, x0 + group_w / 2, TOP + PLOT_H + 12, attrs, b->groups[g]);
	}
	legend(f, LEFT + plot_w + 20, b->series, b->series_cnt);
	return close_svg(f, path);
}

int svg_plot__lines(const char *path, const struct svg_lines *l)
{
	double plot_w = 560, xmax = 0, ymax = 0;
	struct axis y;
	FILE *f;
	char buf[32];

	for (size_t s = 0; s < l->series_cnt; s++)
		for (size_t i = 0; i < l->point_cnt[s]; i++) {
			xmax = fmax(xmax, l->points[s][i].x);
			ymax = fmax(ymax, l->points[s][i].y);
		}
	axis_fit(&y, 0, ymax > 0 ? ymax : 1, false);
	xmax = xmax > 0 ? ceil(xmax / round_step(xmax)) * round_step(xmax) : 1;
	f = open_svg(path, LEFT + plot_w + LEGEND_W, l->title);
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	y_axis(f, &y, LEFT + plot_w, l->ylabel);
	for (double v = 0; v <= xmax * 1.0001; v += round_step(xmax)) {
		snprintf(buf, sizeof(buf), "%g", v);
		text(f, LEFT + v / xmax * plot_w, TOP + PLOT_H + 16, "text-anchor=\"middle\" font-size=\"11\"", buf);
	}
	text(f, LEFT + plot_w / 2, TOP + PLOT_H + 36, "text-anchor=\"middle\" font-size=\"12\"", l->xlabel);
	for (size_t s = 0; s < l->series_cnt; s++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", palette[s % 8]);
		for (size_t i = 0; i < l->point_cnt[s]; i++)
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", LEFT + l->points[s][i].x / xmax * plot_w,
				axis_pos(&y, l->points[s][i].y));
		fputs("\"/>\n", f);
	}
	legend(f, LEFT + plot_w + 20, l->series, l->series_cnt);
	return close_svg(f, path);
}
