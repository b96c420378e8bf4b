// SPDX-License-Identifier: MIT
/*
 * The prefix sets of partition.h against a list of prefixes searched one
 * by one: where every prefix of up to DEPTH decisions is (off, above, at,
 * in), which sides lead on from a place above, and the sets add_below
 * copies. An engine that renews its terms follows these answers to grow
 * its states again; a wrong one loses or repeats paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include "partition.h"

#define DEPTH 10
#define ROUNDS 200

struct prefix {
	uint64_t bits, len;
};

static unsigned passed, failed;

static void check(bool ok, const char *what, unsigned round, uint64_t bits, uint64_t len)
{
	if (ok) {
		passed++;
		return;
	}
	if (failed++ < 20)
		fprintf(stderr, "FAIL round %u: %s of prefix 0x%llx/%llu\n", round, what, (unsigned long long)bits,
			(unsigned long long)len);
}

/* Whether the first len decisions of a and b agree. */
static bool agree(uint64_t a, uint64_t b, uint64_t len)
{
	return !((a ^ b) & ((UINT64_C(1) << len) - 1));
}

static enum prefix_place expected_place(const struct prefix *ends, size_t cnt, uint64_t bits, uint64_t len)
{
	enum prefix_place place = PREFIX_OFF;

	if (!cnt)
		return len ? PREFIX_IN : PREFIX_AT;
	for (size_t i = 0; i < cnt; i++) {
		if (ends[i].len < len && agree(ends[i].bits, bits, ends[i].len))
			return PREFIX_IN;
		if (ends[i].len == len && agree(ends[i].bits, bits, len))
			place = PREFIX_AT;
		else if (ends[i].len > len && agree(ends[i].bits, bits, len) && place == PREFIX_OFF)
			place = PREFIX_ABOVE;
	}
	return place;
}

/* Whether some end lies below the prefix of len decisions followed by bit. */
static bool leads_on(const struct prefix *ends, size_t cnt, uint64_t bits, uint64_t len, unsigned bit)
{
	uint64_t next = bits | (uint64_t)bit << len;

	for (size_t i = 0; i < cnt; i++)
		if (ends[i].len > len && agree(ends[i].bits, next, len + 1))
			return true;
	return false;
}

/* Every prefix of up to DEPTH decisions against the list. */
static void check_all(const struct prefix_set *set, const struct prefix *ends, size_t cnt, unsigned round)
{
	for (uint64_t len = 0; len <= DEPTH; len++)
		for (uint64_t bits = 0; bits < UINT64_C(1) << len; bits++) {
			uint32_t node = 0;
			enum prefix_place got = prefix_set__place(set, &bits, len, &node);

			check(got == expected_place(ends, cnt, bits, len), "place", round, bits, len);
			if (got == PREFIX_ABOVE)
				check(prefix_set__sides(set, node) ==
					      ((leads_on(ends, cnt, bits, len, 0) ? 1u : 0u) |
					       (leads_on(ends, cnt, bits, len, 1) ? 2u : 0u)),
				      "sides", round, bits, len);
		}
}

int main(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (unsigned round = 0; round < ROUNDS; round++) {
		struct prefix ends[16], moved[16];
		struct prefix_set set = { 0 }, copy = { 0 };
		size_t cnt = round % 16, moved_cnt = 0;
		/* add_below copies the subtrees below base to below dest */
		uint64_t base, base_len = round % 4, dest, dest_len = (round / 4) % 4;
		uint32_t node = 0;

		for (size_t i = 0; i < cnt; i++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			/* short enough that a copy below dest stays within DEPTH */
			ends[i].len = 1 + seed % (DEPTH - 3);
			ends[i].bits = (seed >> 8) & ((UINT64_C(1) << ends[i].len) - 1);
			if (prefix_set__add(&set, &ends[i].bits, ends[i].len))
				return 1;
		}
		check_all(&set, ends, cnt, round);

		base = cnt ? ends[0].bits & ((UINT64_C(1) << base_len) - 1) : 0;
		dest = (seed >> 40) & ((UINT64_C(1) << dest_len) - 1);
		if (prefix_set__place(&set, &base, base_len, &node) == PREFIX_ABOVE) {
			if (prefix_set__add_below(&copy, &dest, dest_len, &set, node))
				return 1;
			for (size_t i = 0; i < cnt; i++)
				if (ends[i].len > base_len && agree(ends[i].bits, base, base_len))
					moved[moved_cnt++] = (struct prefix){ dest | ends[i].bits >> base_len << dest_len,
									      ends[i].len - base_len + dest_len };
			check_all(&copy, moved, moved_cnt, round);
		}
		prefix_set__free(&set);
		prefix_set__free(&copy);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
