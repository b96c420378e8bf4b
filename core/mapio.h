/* SPDX-License-Identifier: MIT */
/*
 * Map contents in and out of files: the initial entries a user gives
 * `mhse run --maps FILE` (and that tests record), and the changes a run made.
 *
 * The file is YAML (JSON is YAML too): a mapping from map name to a list of
 * entries, each {key, value}. A key or value is a hex byte string ("0a000001",
 * spaces allowed) or an integer stored little-endian in the map's key or
 * value size; a program array's value may be a program name; a
 * map-in-map's value is a map's name or a list of entries, which a new inner
 * map holds (map_ids.h).
 *
 *   flows:
 *     - { key: "0a000001 0050", value: 7 }
 *   jump_table:
 *     - { key: 0, value: xdp_parse_ipv4 }
 *   per_cpu_flows:
 *     - { key: 0, value: [ { key: "0a000001 0050", value: 7 } ] }
 */
#ifndef MHSE_MAPIO_H
#define MHSE_MAPIO_H

#include <stdio.h>
#include "interp.h"

/* Loads the entries of path into the VM's maps. Returns 0 or -EINVAL with a
 * "file:line: problem" message. */
int mhse_mapio__load(struct mhse_vm *vm, const char *path);

/* A copy of every map's entries, to compare before and after a run. */
struct map_snapshot;
struct map_snapshot *mhse_mapio__snapshot(struct mhse_vm *vm);
void mhse_mapio__snapshot_free(struct map_snapshot *snap);
/* Prints what changed since snap, one line per entry added, changed or
 * deleted. Returns the number of changes. */
size_t mhse_mapio__print_changes(struct mhse_vm *vm, const struct map_snapshot *snap, FILE *out);

#endif
