/* SPDX-License-Identifier: MIT */
/*
 * Term evaluation in C: the value of a Z3 term under an assignment of its
 * variables, without asking Z3.
 *
 * The engine evaluates terms all the time: every branch checks the path's
 * model against the new condition, and every finished path reads its
 * test's inputs and outputs out of it. Z3_model_eval costs microseconds a
 * call and leaves a term behind each time (the context keeps it for good).
 * Here a term is translated once into a compact node table (by Z3's ast id;
 * terms are hash-consed, so a shared subterm is one node) and evaluated with
 * the SMT-LIB semantics of each operation, down to division by zero. Each
 * node remembers its value under the last assignment it was evaluated in,
 * so the constraints of a path, which share most of their subterms, cost
 * little more than one of them. Past a bound on its nodes (a quarter of a
 * million, 10-20 MB), the table starts again from none.
 *
 * An assignment gives values to scalar constants, to elements of array
 * constants, and a default to each array; whatever it leaves out is zero,
 * as in a completed Z3 model. Assignments are shared by reference (a forked
 * path keeps its parent's model) and copied before they change.
 *
 * Translation and evaluation recurse one level at a time: a term thousands
 * of operations deep (a hash over the packet's bytes) is first walked
 * bottom-up with a stack of the evaluator's own.
 *
 * A term with something the evaluator does not model (a width over 64 bits,
 * an uninterpreted function) makes eval__value fail with -EOPNOTSUPP; the
 * caller asks Z3 then.
 */
#ifndef MHSE_EVAL_H
#define MHSE_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <z3.h>
#include "expr.h"

/* What an assignment slot gives a value to; ASSIGN_DROPPED hides the
 * shared slots of an array (by id) that the assignment forgot. */
enum assign_kind { ASSIGN_SCALAR, ASSIGN_ELEMENT, ASSIGN_DEFAULT, ASSIGN_DROPPED };

struct assign_slot {
	Z3_ast term;     /* the constant, or the array constant; NULL when free */
	uint64_t index;  /* the element's index (ASSIGN_ELEMENT) */
	uint64_t value;
	uint32_t id;     /* Z3's ast id of term */
	uint32_t kind;
};

/* Values by constant (and array element). Copies share what they came
 * from: a large assignment's slots move, when it is first copied, into a
 * table that no one changes again (shared), and each copy holds only the
 * slots it set since, over it (the states of a path tree each hold a
 * model of thousands of packet and map bytes, most of them their
 * parent's). Own slots grown to a quarter of the shared ones are merged
 * into a table of the assignment's own. */
struct assignment {
	unsigned refs;
	uint64_t stamp;  /* 0 after a change: the evaluator gives a fresh one */
	struct assign_slot *slots; /* its own */
	size_t cap, cnt;
	struct assignment *shared; /* NULL, or a table with no shared table of its own */
};

struct assignment *assignment__new(void);
/* A private copy (reference count one) of a, or NULL; a's slots may move
 * to a table the two share, which changes none of a's values. */
struct assignment *assignment__copy(struct assignment *a);
struct assignment *assignment__get(struct assignment *a);
void assignment__put(struct assignment *a);

int assignment__set(struct assignment *a, enum assign_kind kind, Z3_ast term, uint32_t id, uint64_t index,
		    uint64_t value);
/* The slot that gives term (at index) a value, or NULL. */
const struct assign_slot *assignment__find(const struct assignment *a, enum assign_kind kind, uint32_t id,
					   uint64_t index);
/* Forgets the elements and the default of array (of ast id id). */
int assignment__drop_array(struct assignment *a, Z3_ast array, uint32_t id);
/* The slots that give a its values, one per call from *pos (0 first), or
 * NULL after the last. */
const struct assign_slot *assignment__next(const struct assignment *a, size_t *pos);
/* How many slots assignment__next gives, at most. */
size_t assignment__size(const struct assignment *a);

struct enode;
struct walk_item;

struct evaluator {
	Z3_context z;
	struct enode *nodes;
	uint32_t *argv;
	size_t node_cnt, node_cap, argv_cnt, argv_cap;
	struct term_map memo;            /* term -> its node */
	struct walk_item *walk;          /* the bottom-up walks' stack */
	size_t walk_cap;
	uint64_t next_stamp;
	unsigned depth;
	bool failed;
};

void evaluator__init(struct evaluator *ev, Z3_context z);
void evaluator__fini(struct evaluator *ev);

/* The value of e (a bit-vector of up to 64 bits, or a boolean as 0 or 1). */
int eval__value(struct evaluator *ev, struct assignment *a, Z3_ast e, uint64_t *out);
/* The same for a term of a lambda's body, its variable (index 0) bound. */
int eval__value_at(struct evaluator *ev, struct assignment *a, Z3_ast e, uint64_t bound, uint64_t *out);
/* The n bytes of e (a bit-vector of 8 * n bits), least significant first. */
int eval__bytes(struct evaluator *ev, struct assignment *a, Z3_ast e, uint32_t n, uint8_t *out);
/* The element of array term at index. */
int eval__element(struct evaluator *ev, struct assignment *a, Z3_ast array, uint64_t index, uint64_t *out);
/* Whether the facts (terms that hold in every model of a path) decide e by
 * themselves: 1 with *out when they do, 0 when not, <0 on error. A term a
 * fact equates with a number has that value, and an element of an array
 * constant too, at an index they decide; a fact comparing a term with a
 * number bounds the term, and a comparison or equality whose operands'
 * bounds lie apart is decided; a variable nothing fixes is open, and so is
 * an operation over it, unless another operand settles it (a false
 * conjunct, a product by zero). What a path's equalities and bounds make
 * of a branch condition on the same bytes, without asking Z3. */
int eval__decided(struct evaluator *ev, Z3_ast const *facts, size_t cnt, Z3_ast e, uint64_t *out);

#endif
