// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include "log.h"
#include "yaml_file.h"

int yaml_file__read(FILE *f, const char *path, yaml_document_t *doc)
{
	yaml_parser_t parser;
	int err = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, doc)) {
		pr_err("%s:%zu: %s\n", path, parser.problem_mark.line + 1, parser.problem ?: "malformed YAML");
		err = -EINVAL;
	}
	yaml_parser_delete(&parser);
	return err;
}

int yaml_file__load(const char *path, yaml_document_t *doc)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		err = -errno;
		pr_err("%s: %s\n", path, strerror(errno));
		return err;
	}
	err = yaml_file__read(f, path, doc);
	fclose(f);
	return err;
}
