/* SPDX-License-Identifier: MIT */
/*
 * One replaceable log callback, as in libbpf: every message mhse's library
 * code prints (errors about bad input, warnings, debug traces) goes through
 * it, so a front end or a test can capture or silence them.
 */
#ifndef MHSE_LOG_H
#define MHSE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum mhse_log_level {
	MHSE_LOG_ERROR,
	MHSE_LOG_WARN,
	MHSE_LOG_INFO,
	MHSE_LOG_DEBUG,
};

typedef int (*mhse_log_fn)(enum mhse_log_level level, const char *fmt, va_list args);

/* Installs fn (NULL silences everything) and returns the previous callback.
 * The default prints errors and warnings to stderr. */
mhse_log_fn mhse_set_log(mhse_log_fn fn);

__attribute__((format(printf, 2, 3))) void mhse_log(enum mhse_log_level level, const char *fmt, ...);

/* Bytes as hex for a message, shortened with "..." past 32 bytes; "absent"
 * for NULL. Returns buf. */
const char *mhse_hex(char *buf, size_t size, const unsigned char *p, size_t len);

#define pr_err(...) mhse_log(MHSE_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) mhse_log(MHSE_LOG_WARN, __VA_ARGS__)
#define pr_info(...) mhse_log(MHSE_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) mhse_log(MHSE_LOG_DEBUG, __VA_ARGS__)

#endif
