/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk's formatting, shared by the interpreter (which formats
 * as the program runs) and the engine (which formats a path's calls once
 * their arguments have values).
 */
#ifndef MHSE_TRACE_FORMAT_H
#define MHSE_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Reads the NUL-terminated string at addr into buf (at most len - 1 bytes
 * and a NUL). Returns 0, or -1 when the memory cannot be read. */
typedef int (*trace_read_str)(void *arg, uint64_t addr, char *buf, size_t len);

/* Formats fmt (fmt_len bytes, NUL-terminated within them) with up to three
 * arguments into out, as the kernel's bpf_trace_printk does: flags and
 * width, the l, ll and h modifiers, and d i u x X c p s %. Returns the
 * length written, -EINVAL for a format the kernel refuses, or -EFAULT when
 * a string argument could not be read. */
int trace_format(const char *fmt, uint32_t fmt_len, const uint64_t args[3], trace_read_str read_str, void *arg,
		 char *out, size_t out_len);

#endif
