/* SPDX-License-Identifier: MIT */
/*
 * The engine's sockets (sock_sym.c), for the executor: what a load from a
 * socket or of the context's socket pointer needs, and the context's socket
 * in a test. The model is sock.h's.
 */
#ifndef MHSE_SOCK_SYM_H
#define MHSE_SOCK_SYM_H

#include "engine_internal.h"
#include "sock.h"

/* A load of size bytes at off of region (resolved): an error path where
 * the verifier refuses it for the socket view the region is. */
enum step sock_sym_check_load(struct mhse_engine *e, struct state *s, uint32_t region, struct sval off,
			      uint32_t size);
/* Makes the context's socket in the state every path starts from (sock.h);
 * -ENOMEM. */
int sock_sym_init(struct mhse_engine *e, struct state *s);
/* A lookup in a sockmap or sockhash (sock.h): r0 the socket or NULL. The
 * caller has read the key. may_hold false: the map is empty. */
enum step sock_sym_map_lookup(struct mhse_engine *e, struct state *s, bool may_hold);
/* A load of the context's socket pointer f: whether there is a socket is
 * decided on the path's first load (a path with one and one without). */
enum step sock_sym_ctx_load(struct mhse_engine *e, struct state *s, const struct ctx_field *f, struct sval *val);

#endif
