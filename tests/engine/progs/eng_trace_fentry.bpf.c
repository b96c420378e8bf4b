// SPDX-License-Identifier: GPL-2.0
/*
 * An fentry program that counts unlinks relative to the working directory
 * and, for the others, reads the file name through the pointer argument:
 * a read of kernel memory, which mhse does not model (the spec's
 * kernel_pointers), so that path ends as unsupported, naming it.
 *
 * expect policy=consistent paths=3 errors=0 unsupported=1
 * expect policy=alloc paths=3 errors=0 unsupported=1
 * expect policy=lookup paths=3 errors=0 unsupported=1
 * expect policy=concrete paths=3 errors=0 unsupported=1
 *
 * Counting: the first argument (dfd) is AT_FDCWD or not. AT_FDCWD: the
 * counter, a global, goes up, the traced function's address and the
 * attach cookie are kept, and the program returns 0 (1 path). Not: the
 * second argument is NULL (return 1, 1 path) or a pointer the program
 * reads through (unsupported, 1 path). 3 paths under every policy: the
 * program only adds to its global.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define AT_FDCWD -100

struct filename {
	const char *name;
};

__u64 cwd_unlinks, last_ip, last_cookie;

SEC("fentry/do_unlinkat")
int eng_trace_fentry(unsigned long long *ctx)
{
	int dfd = (int)ctx[0];
	struct filename *name = (struct filename *)ctx[1];

	if (dfd == AT_FDCWD) {
		__sync_fetch_and_add(&cwd_unlinks, 1);
		/* recorded values, read back when the test replays */
		last_ip = bpf_get_func_ip(ctx);
		last_cookie = bpf_get_attach_cookie(ctx);
		return 0;
	}
	if (!name)
		return 1;
	return name->name != 0 ? 2 : 3;
}

char LICENSE[] SEC("license") = "GPL";
