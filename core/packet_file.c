// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "packet_file.h"

#define PCAP_MAX_PACKET 65535

static uint32_t load_u32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int read_pcap(const char *path, const uint8_t *buf, size_t size, uint8_t **data, uint32_t *len)
{
	uint32_t magic = load_u32(buf, false);
	bool swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	uint32_t caplen;

	if (size < 24 + 16) {
		pr_err("%s: pcap file holds no packet\n", path);
		return -EINVAL;
	}
	caplen = load_u32(buf + 24 + 8, swap);
	if (caplen > PCAP_MAX_PACKET || caplen > size - 40) {
		pr_err("%s: first pcap record is truncated (%u bytes captured)\n", path, caplen);
		return -EINVAL;
	}
	*data = malloc(caplen ? caplen : 1);
	if (!*data)
		return -ENOMEM;
	memcpy(*data, buf + 40, caplen);
	*len = caplen;
	return 0;
}

static int read_hex(const char *path, const char *text, uint8_t **data, uint32_t *len)
{
	size_t n = 0, cap = strlen(text) / 2 + 1;
	uint8_t *out = malloc(cap);

	if (!out)
		return -ENOMEM;
	for (const char *p = text; *p;) {
		unsigned byte;

		if (isspace((unsigned char)*p) || *p == ':' || *p == ',') {
			p++;
		} else if (*p == '#') {
			p += strcspn(p, "\n");
		} else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			p += 2;
		} else if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) && sscanf(p, "%2x", &byte) == 1) {
			out[n++] = (uint8_t)byte;
			p += 2;
		} else {
			pr_err("%s: not a pcap file and not hex text (at offset %zu)\n", path, (size_t)(p - text));
			free(out);
			return -EINVAL;
		}
	}
	*data = out;
	*len = (uint32_t)n;
	return 0;
}

int mhse_packet__read(const char *path, uint8_t **data, uint32_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0;
	int err;

	if (!f) {
		pr_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (;;) {
		if (size + 4096 + 1 > cap) {
			uint8_t *b = realloc(buf, cap = (cap + 4096) * 2);

			if (!b) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = b;
		}
		size_t got = fread(buf + size, 1, 4096, f);

		size += got;
		if (got < 4096)
			break;
	}
	fclose(f);
	buf[size] = '\0';
	if (size >= 4) {
		uint32_t magic = load_u32(buf, false);

		if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d || magic == 0x4d3cb2a1) {
			err = read_pcap(path, buf, size, data, len);
			free(buf);
			return err;
		}
	}
	if (memchr(buf, '\0', size)) {
		pr_err("%s: not a pcap file and not hex text\n", path);
		free(buf);
		return -EINVAL;
	}
	err = read_hex(path, (const char *)buf, data, len);
	free(buf);
	return err;
}
