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

void mhse_log(enum mhse_log_level level, const char *fmt, ...)
{
	va_list args;

	if (!log_fn)
		return;
	va_start(args, fmt);
	log_fn(level, fmt, args);
	va_end(args);
}
