/* SPDX-License-Identifier: MIT */
/*
 * Reading a whole YAML (or JSON) file into a libyaml document, with the one
 * error message every reader of mhse's files gives: "file:line: problem".
 */
#ifndef MHSE_YAML_FILE_H
#define MHSE_YAML_FILE_H

#include <stdio.h>
#include <yaml.h>

/* Loads the document of an open file; path names it in messages. Returns 0
 * (free doc with yaml_document_delete) or -EINVAL. */
int yaml_file__read(FILE *f, const char *path, yaml_document_t *doc);
/* Opens path and loads its document. Returns 0, -EINVAL, or -errno of the open. */
int yaml_file__load(const char *path, yaml_document_t *doc);

#endif
