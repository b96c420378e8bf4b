// SPDX-License-Identifier: MIT
/*
 * mhse's CO-RE patching checked against libbpf's: OBJECT is opened by mhse
 * with TARGET as its --btf and by libbpf with TARGET as btf_custom_path, and
 * loaded into the running kernel (libbpf 1.1 applies relocations only while
 * loading). Every loaded program must then have the same instructions in
 * both, map references aside (file descriptors in libbpf, indices in mhse).
 * Programs named "poisoned..." are left out of the load: the verifier
 * rejects their reachable poisoned calls, as it should.
 *
 * Exits 77 (skipped) when the kernel cannot load programs here.
 * Usage: core_libbpf TARGET OBJECT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "object.h"

#define SKIP 77

static int compare_prog(const struct mhse_prog *mine, const struct bpf_program *theirs)
{
	const struct bpf_insn *insns = bpf_program__insns(theirs);
	size_t cnt = bpf_program__insn_cnt(theirs);

	if (cnt != mine->insn_cnt) {
		printf("FAIL: %s: %zu instructions, libbpf has %zu\n", mine->name, mine->insn_cnt, cnt);
		return 1;
	}
	for (size_t i = 0; i < cnt; i++) {
		/* a map reference: both halves of the LD_IMM64 differ by design */
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].src_reg) {
			i++;
			continue;
		}
		if (memcmp(&insns[i], &mine->insns[i], sizeof(insns[i]))) {
			printf("FAIL: %s: insn %zu is %02x %x:%x %d %d, libbpf's %02x %x:%x %d %d\n", mine->name, i,
			       mine->insns[i].code, mine->insns[i].dst_reg, mine->insns[i].src_reg, mine->insns[i].off,
			       mine->insns[i].imm, insns[i].code, insns[i].dst_reg, insns[i].src_reg, insns[i].off,
			       insns[i].imm);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mhse_open_opts opts = { .core_btf = argc == 3 ? argv[1] : NULL };
	struct bpf_object *bobj = NULL;
	struct mhse_object *obj = NULL;
	struct bpf_program *prog;
	int err, failed = 0, compared = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s TARGET OBJECT\n", argv[0]);
		return 2;
	}
	LIBBPF_OPTS(bpf_object_open_opts, bopts, .btf_custom_path = argv[1]);
	if (mhse_object__open(argv[2], &opts, &obj))
		return 1;
	bobj = bpf_object__open_file(argv[2], &bopts);
	if (!bobj) {
		printf("FAIL: libbpf cannot open %s\n", argv[2]);
		mhse_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, bobj)
		if (!strncmp(bpf_program__name(prog), "poisoned", strlen("poisoned")))
			bpf_program__set_autoload(prog, false);
	err = bpf_object__load(bobj);
	if (err) {
		printf("%s: libbpf cannot load it here (%s): skipped\n", argv[2], strerror(-err));
		bpf_object__close(bobj);
		mhse_object__close(obj);
		return err == -EPERM || err == -ENOSYS ? SKIP : 1;
	}
	bpf_object__for_each_program(prog, bobj) {
		const struct mhse_prog *mine = mhse_object__find_prog(obj, bpf_program__name(prog));

		if (!bpf_program__autoload(prog))
			continue;
		if (!mine) {
			printf("FAIL: mhse has no program %s\n", bpf_program__name(prog));
			failed++;
			continue;
		}
		failed += compare_prog(mine, prog);
		compared++;
	}
	printf("%s against %s: %d programs compared, %d differ\n", argv[2], argv[1], compared, failed);
	bpf_object__close(bobj);
	mhse_object__close(obj);
	return failed || !compared;
}
