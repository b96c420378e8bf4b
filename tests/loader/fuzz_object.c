// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the ELF loader: any bytes go to mhse_object__open_mem;
 * a loaded object is then used the way mhse uses it (line lookups, binding,
 * resizing, info and disassembly) and closed, so that everything it hands
 * out is exercised under ASan and UBSan. Log messages are formatted and
 * dropped: formatting catches a message whose arguments do not match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "info.h"
#include "log.h"
#include "object.h"

static int format_and_drop(enum mhse_log_level level, const char *fmt, va_list args)
{
	char msg[512];

	(void)level;
	return vsnprintf(msg, sizeof(msg), fmt, args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct mhse_object *obj;

	if (!sink) {
		mhse_set_log(format_and_drop);
		sink = fopen("/dev/null", "w");
	}
	if (mhse_object__open_mem(data, size, "fuzz", NULL, &obj))
		return 0;
	for (size_t i = 0; i < obj->prog_cnt; i++)
		for (size_t k = 0; k < obj->progs[i].insn_cnt; k++)
			mhse_prog__line(obj, &obj->progs[i], k);
	for (size_t i = 0; i < obj->extern_cnt; i++)
		mhse_object__bind_extern(obj, obj->externs[i].name, UINT64_MAX);
	if (obj->map_cnt)
		mhse_object__set_map_size(obj, obj->maps[0].name, 1);
	if (sink) {
		mhse_object__print_info(obj, sink, true);
		mhse_object__print_info(obj, sink, false);
		for (size_t i = 0; i < obj->prog_cnt; i++)
			mhse_prog__print_disasm(obj, &obj->progs[i], sink);
	}
	mhse_object__close(obj);
	return 0;
}
