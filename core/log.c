// SPDX-License-Identifier: MIT
#include <stdio.h>
#include "log.h"

static int log_stderr(enum mhse_log_level level, const char *fmt, va_list args)
{
	if (level > MHSE_LOG_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static mhse_log_fn log_fn = log_stderr;

mhse_log_fn mhse_set_log(mhse_log_fn fn)
{
	mhse_log_fn old = log_fn;
	log_fn = fn;
	return old;
}

const char *mhse_hex(char *buf, size_t size, const unsigned char *p, size_t len)
{
	size_t shown = len > 32 ? 32 : len, n = 0;

	if (!p) {
		snprintf(buf, size, "absent");
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < shown && n + 3 <= size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%02x", p[i]);
	if (shown < len && n + 4 <= size)
		snprintf(buf + n, size - n, "...");
	return buf;
}

void mhse_log(enum mhse_log_level level, const char *fmt, ...)
{
	va_list args;

	if (!log_fn)
		return;
	va_start(args, fmt);
	log_fn(level, fmt, args);
	va_end(args);
}
