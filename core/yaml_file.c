// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
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

yaml_node_t *yaml_file__member(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

const char *yaml_file__scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool yaml_file__is_null(const yaml_node_t *n)
{
	return !n || (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		      (!strcmp((const char *)n->data.scalar.value, "null") || !n->data.scalar.length));
}

double yaml_file__number(const yaml_node_t *n, double missing)
{
	const char *s = yaml_file__scalar(n);

	return s && !yaml_file__is_null(n) ? strtod(s, NULL) : missing;
}
