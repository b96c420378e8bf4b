// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trace_format.h"

/* One conversion at *fmtp (after the '%'); returns the bytes written or a negative errno. */
static int format_conversion(const char **fmtp, const char *end, uint64_t arg, trace_read_str read_str, void *rarg,
			     char *out, size_t out_len)
{
	const char *f = *fmtp;
	char spec[24] = "%";
	size_t n = 1;
	int longs = 0;

	while (f < end && strchr("-+ #0123456789", *f) && n < 12)
		spec[n++] = *f++;
	while (f < end && (*f == 'l' || *f == 'h'))
		longs += *f++ == 'l';
	if (f >= end)
		return -EINVAL;
	*fmtp = f + 1;
	switch (*f) {
	case 'd': case 'i':
		spec[n++] = 'l', spec[n++] = 'l', spec[n++] = 'd';
		return snprintf(out, out_len, spec, longs ? (long long)arg : (long long)(int32_t)arg);
	case 'u': case 'x': case 'X':
		spec[n++] = 'l', spec[n++] = 'l', spec[n++] = *f;
		return snprintf(out, out_len, spec, (unsigned long long)(longs ? arg : (uint32_t)arg));
	case 'c':
		spec[n++] = 'c';
		return snprintf(out, out_len, spec, (char)arg);
	case 'p':
		return snprintf(out, out_len, "0x%llx", (unsigned long long)arg);
	case 's': {
		char str[128];

		if (read_str(rarg, arg, str, sizeof(str)))
			return -EFAULT;
		spec[n++] = 's';
		return snprintf(out, out_len, spec, str);
	}
	default:
		return -EINVAL;
	}
}

int trace_format(const char *fmt, uint32_t fmt_len, const uint64_t args[3], trace_read_str read_str, void *arg,
		 char *out, size_t out_len)
{
	const char *end = memchr(fmt, '\0', fmt_len);
	size_t len = 0;
	unsigned argi = 0;

	if (!end || !out_len)
		return -EINVAL;
	while (fmt < end && len + 1 < out_len) {
		int w;

		if (*fmt != '%' || (fmt + 1 < end && fmt[1] == '%')) {
			out[len++] = *fmt;
			fmt += *fmt == '%' ? 2 : 1;
			continue;
		}
		fmt++;
		if (argi >= 3)
			return -EINVAL;
		w = format_conversion(&fmt, end, args[argi++], read_str, arg, out + len, out_len - len);
		if (w < 0)
			return w;
		len += (size_t)w < out_len - len ? (size_t)w : out_len - len - 1;
	}
	out[len] = '\0';
	return (int)len;
}
