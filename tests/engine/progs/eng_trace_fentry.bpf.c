// SPDX-License-Identifier: GPL-2.0
/*
 * An fentry program that counts unlinks relative to the working directory
 * and, for the others, reads the file name through the pointer argument:
 * a read of kernel memory (the spec's kernel_pointers), whose bytes are
 * the test's input, listed by address.
 *
 * expect policy=consistent paths=4 errors=0 unsupported=0
 * expect policy=alloc paths=4 errors=0 unsupported=0
 * expect policy=lookup paths=4 errors=0 unsupported=0
 * expect policy=concrete paths=4 errors=0 unsupported=0
 *
 * Counting: the first argument (dfd) is AT_FDCWD or not. AT_FDCWD: the
 * counter, a global, goes up, the traced function's address and the
 * attach cookie are kept, and the program returns 0 (1 path). Not: the
 * second argument is NULL (return 1, 1 path) or a pointer the program
 * reads through, whose name field is NULL (return 3) or not (return 2):
 * 2 paths. 4 paths under every policy: the program only adds to its
 * global.
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
