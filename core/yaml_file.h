/* SPDX-License-Identifier: MIT */
/*
 * Reading a whole YAML (or JSON) file into a libyaml document, with the one
 * error message every reader of mhse's files gives: "file:line: problem".
 */
#ifndef MHSE_YAML_FILE_H
#define MHSE_YAML_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <yaml.h>

/* Loads the document of an open file; path names it in messages. Returns 0
 * (free doc with yaml_document_delete) or -EINVAL. */
int yaml_file__read(FILE *f, const char *path, yaml_document_t *doc);
/* Opens path and loads its document. Returns 0, -EINVAL, or -errno of the open. */
int yaml_file__load(const char *path, yaml_document_t *doc);

/* The value of key in a mapping node, or NULL (also when map is not one). */
yaml_node_t *yaml_file__member(yaml_document_t *doc, const yaml_node_t *map, const char *key);
/* A scalar node's text, or NULL when n is missing or not a scalar. */
const char *yaml_file__scalar(const yaml_node_t *n);
/* Whether n is missing or JSON's null (the plain scalar, not the string "null"). */
bool yaml_file__is_null(const yaml_node_t *n);
/* A scalar's number, or missing when n is missing, null or not a scalar. */
double yaml_file__number(const yaml_node_t *n, double missing);

#endif
