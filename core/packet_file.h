/* SPDX-License-Identifier: MIT */
#ifndef MHSE_PACKET_FILE_H
#define MHSE_PACKET_FILE_H

#include <stdint.h>

/* Reads a packet from path: the first packet of a pcap file (micro- or
 * nanosecond, either byte order), or hex text (whitespace, "0x" prefixes and
 * '#' comments ignored). Returns 0, or -EINVAL with "file: problem" logged. */
int mhse_packet__read(const char *path, uint8_t **data, uint32_t *len);

#endif
