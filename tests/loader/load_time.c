// SPDX-License-Identifier: MIT
/*
 * The loader's cost on a large object (gen_big_object.py: 200 programs,
 * 17,200 CO-RE records, megabytes of debug info) must stay far below a
 * second: every table is built once, nothing scans symbols or relocations
 * per instruction.
 *
 * usage: load_time OBJECT
 */
#include <stdio.h>
#include <time.h>
#include "object.h"

#define LIMIT_SECONDS 1.0

int main(int argc, char **argv)
{
	struct timespec start, end;
	struct mhse_object *obj;
	double seconds;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: load_time OBJECT\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	err = mhse_object__open(argv[1], NULL, &obj);
	clock_gettime(CLOCK_MONOTONIC, &end);
	if (err) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	printf("%s: %zu programs, %zu maps, %zu CO-RE records, %zu lines loaded in %.3f s\n", argv[1], obj->prog_cnt,
	       obj->map_cnt, obj->core_relo_cnt, obj->line_cnt, seconds);
	err = obj->prog_cnt != 200 || obj->core_relo_cnt != 17200 || seconds >= LIMIT_SECONDS;
	mhse_object__close(obj);
	printf("%d passed, %d failed\n", !err, err);
	return err;
}
