// SPDX-License-Identifier: MIT
/*
 * CO-RE relocations resolved as libbpf resolves them when it loads an object
 * (its relo_core.c, which libbpf 1.1 does not export), on libbpf's public
 * btf__* API.
 *
 * A record names an instruction, a local type of the object's .BTF, an
 * access string ("0:2:1": an index through the pointer, then member and
 * element indices) and a kind. The local side is parsed into a spec: the
 * named fields and array elements the access goes through, and the bit
 * offset it reaches. Candidates are the target's types of a compatible kind
 * whose name equals the local type's up to a "___flavour" suffix. Each is
 * matched field by field, by name, looking through anonymous members, and
 * each match gives a value (offset, size, existence, shift, type id, enum
 * value). Matching candidates must agree. The candidates of a local type
 * shrink to those that matched, for the records that follow, as libbpf's
 * cache makes them shrink. The instruction must hold the value the local
 * types give, or the object is inconsistent and refused, as libbpf refuses
 * it.
 *
 * What libbpf poisons, mhse poisons alike (a call to helper 0xbad2310): a
 * field or enum value no candidate has, and a load or store of a field whose
 * size changed in a way zero-extension cannot make right. Candidates that
 * disagree make libbpf refuse the whole object; mhse poisons that one
 * instruction instead, so that the rest of the object is still explored,
 * and says so where a path reaches it.
 *
 * The target may be any file, so everything is read through libbpf's
 * bounds-checked accessors and every walk of types is bounded.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "core_relo.h"
#include "insn.h"
#include "log.h"

#define SPEC_MAX_LEN 64 /* steps of one access, libbpf's bound */
#define MAX_DEPTH 32    /* nesting followed when comparing types */

/* field_value and friends: the relocation cannot be satisfied, poison it. */
#define POISON 1

enum relo_class { RELO_FIELD, RELO_TYPE, RELO_ENUMVAL, RELO_UNKNOWN };

static enum relo_class relo_class(uint32_t kind)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
	case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		return RELO_FIELD;
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
	case BPF_CORE_TYPE_SIZE:
		return RELO_TYPE;
	case BPF_CORE_ENUMVAL_EXISTS:
	case BPF_CORE_ENUMVAL_VALUE:
		return RELO_ENUMVAL;
	default:
		return RELO_UNKNOWN;
	}
}

static const char *const kind_names[] = {
	[BPF_CORE_FIELD_BYTE_OFFSET] = "field offset", [BPF_CORE_FIELD_BYTE_SIZE] = "field size",
	[BPF_CORE_FIELD_EXISTS] = "field exists",      [BPF_CORE_FIELD_SIGNED] = "field signedness",
	[BPF_CORE_FIELD_LSHIFT_U64] = "bitfield left shift", [BPF_CORE_FIELD_RSHIFT_U64] = "bitfield right shift",
	[BPF_CORE_TYPE_ID_LOCAL] = "local type id",    [BPF_CORE_TYPE_ID_TARGET] = "target type id",
	[BPF_CORE_TYPE_EXISTS] = "type exists",        [BPF_CORE_TYPE_MATCHES] = "type matches",
	[BPF_CORE_TYPE_SIZE] = "type size",            [BPF_CORE_ENUMVAL_EXISTS] = "enum value exists",
	[BPF_CORE_ENUMVAL_VALUE] = "enum value",
};

static const char *btf_kind_name(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT: return "int";
	case BTF_KIND_PTR: return "pointer";
	case BTF_KIND_ARRAY: return "array";
	case BTF_KIND_STRUCT: return "struct";
	case BTF_KIND_UNION: return "union";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: return "enum";
	case BTF_KIND_FWD: return "forward declaration";
	case BTF_KIND_TYPEDEF: return "typedef";
	case BTF_KIND_FUNC_PROTO: return "function type";
	case BTF_KIND_FLOAT: return "float";
	default: return "type";
	}
}

/* One step of an access that matters across layouts: a named member, or an
 * array element (name NULL). For enum relocations, the enumerator. */
struct accessor {
	uint32_t type_id; /* the struct or union holding the member; the element type of an array */
	uint32_t idx;
	const char *name;
};

struct spec {
	const struct btf *btf;
	uint32_t root_id;
	uint32_t kind;
	struct accessor acc[SPEC_MAX_LEN];
	int len;
	int raw_len;         /* steps taken, anonymous members included */
	uint32_t bit_offset;
};

/* What a relocation patches in, and how. */
struct result {
	uint64_t orig, val;     /* the value the local types give, the target's */
	bool validate;          /* the instruction must hold orig */
	bool poison;
	const char *poison_why;
	uint32_t orig_sz, new_sz;     /* field offsets of loads and stores: the field's size */
	uint32_t orig_type, new_type; /* ... and type */
};

/* The candidates of one local type, found on first use. */
struct cands {
	uint32_t *ids;
	size_t cnt;
	bool found;
};

struct relocator {
	const char *file;
	const struct btf *local, *target;
	struct cands *cands;   /* by local type id */
	uint32_t *kept;        /* scratch: the candidates of the record at hand that matched */
	struct spec local_spec, cand_spec, targ_spec;
};

/* The length of a name without its "___flavour" suffix (the last "X___Y"
 * where X and Y are not underscores). */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 4 : 0; i-- > 0;)
		if (name[i] != '_' && !strncmp(name + i + 1, "___", 3) && name[i + 4] != '_')
			return i + 1;
	return n;
}

static bool same_essential(const char *a, const char *b)
{
	size_t len = essential_len(a);

	return len == essential_len(b) && !strncmp(a, b, len);
}

/* Names of types and members in TYPE_MATCHES: anonymous only with anonymous. */
static bool names_match(const struct btf *lbtf, uint32_t loff, const struct btf *tbtf, uint32_t toff)
{
	const char *ln = btf__name_by_offset(lbtf, loff), *tn = btf__name_by_offset(tbtf, toff);

	if (!tn || !*tn)
		return !ln || !*ln;
	return ln && same_essential(ln, tn);
}

static uint32_t enumerator_name_off(const struct btf_type *t, int i)
{
	return btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
}

/* A zero-length array as the last member of a struct: any index is in bounds. */
static bool is_flex_array(const struct btf *btf, const struct accessor *holder, const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!holder->name || arr->nelems)
		return false;
	t = btf__type_by_id(btf, holder->type_id);
	return t && holder->idx + 1 == btf_vlen(t);
}

static int add_bits(struct spec *spec, uint64_t idx, int64_t elem_size)
{
	uint64_t bits = spec->bit_offset + idx * (uint64_t)elem_size * 8;

	if (elem_size < 0 || (elem_size && idx > UINT32_MAX / (uint64_t)elem_size) || bits > UINT32_MAX)
		return -EINVAL;
	spec->bit_offset = (uint32_t)bits;
	return 0;
}

static int parse_access(const char *str, int *raw, int *raw_len)
{
	*raw_len = 0;
	if (!str || !*str || *str == ':')
		return -EINVAL;
	while (*str) {
		unsigned long idx;
		char *end;

		if (*str == ':')
			str++;
		if (!isdigit((unsigned char)*str))
			return -EINVAL;
		errno = 0;
		idx = strtoul(str, &end, 10);
		if (errno || idx > INT_MAX)
			return -EINVAL;
		if (*raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		raw[(*raw_len)++] = (int)idx;
		str = end;
	}
	return *raw_len ? 0 : -EINVAL;
}

/* The local spec of a record: its accessors and bit offset. */
static int parse_spec(const struct btf *btf, const struct bpf_core_relo *relo, struct spec *spec)
{
	const char *str = btf__name_by_offset(btf, relo->access_str_off);
	const struct btf_type *t;
	int raw[SPEC_MAX_LEN], raw_len, err;
	uint32_t id;

	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_id = relo->type_id;
	spec->kind = relo->kind;
	if (relo_class(relo->kind) == RELO_TYPE)
		return str && !strcmp(str, "0") ? 0 : -EINVAL;
	err = parse_access(str, raw, &raw_len);
	if (err)
		return err;
	t = mhse_btf__skip_mods(btf, relo->type_id, &id);
	if (!t)
		return -EINVAL;
	spec->acc[0] = (struct accessor){ .type_id = id, .idx = (uint32_t)raw[0] };
	spec->len = 1;
	spec->raw_len = raw_len;
	if (relo_class(relo->kind) == RELO_ENUMVAL) {
		if (!btf_is_any_enum(t) || raw_len > 1 || raw[0] >= btf_vlen(t))
			return -EINVAL;
		spec->acc[0].name = btf__name_by_offset(btf, enumerator_name_off(t, raw[0]));
		return spec->acc[0].name ? 0 : -EINVAL;
	}
	if (relo_class(relo->kind) != RELO_FIELD || add_bits(spec, (uint32_t)raw[0], btf__resolve_size(btf, id)))
		return -EINVAL;
	for (int i = 1; i < raw_len; i++) {
		struct accessor *acc = &spec->acc[spec->len];

		t = mhse_btf__skip_mods(btf, id, &id);
		if (!t)
			return -EINVAL;
		if (btf_is_composite(t)) {
			const struct btf_member *m;

			if (raw[i] >= btf_vlen(t))
				return -EINVAL;
			m = btf_members(t) + raw[i];
			spec->bit_offset += btf_member_bit_offset(t, (uint32_t)raw[i]);
			if (m->name_off) {
				const char *name = btf__name_by_offset(btf, m->name_off);

				if (!name || !*name)
					return -EINVAL;
				*acc = (struct accessor){ .type_id = id, .idx = (uint32_t)raw[i], .name = name };
				spec->len++;
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);

			if (!mhse_btf__skip_mods(btf, a->type, &id))
				return -EINVAL;
			if (!is_flex_array(btf, acc - 1, a) && (uint32_t)raw[i] >= a->nelems)
				return -EINVAL;
			*acc = (struct accessor){ .type_id = id, .idx = (uint32_t)raw[i] };
			spec->len++;
			if (add_bits(spec, (uint32_t)raw[i], btf__resolve_size(btf, id)))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether a local field's type can be relocated to a target field's:
 * composites with composites, pointers, floats, enums and forward
 * declarations of the same name (or anonymous), integers that are no
 * old-style bitfields, arrays of such. 1, 0, or -EINVAL. */
static int fields_compat(const struct btf *lbtf, uint32_t lid, const struct btf *tbtf, uint32_t tid)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *lt = mhse_btf__skip_mods(lbtf, lid, &lid);
		const struct btf_type *tt = mhse_btf__skip_mods(tbtf, tid, &tid);
		const char *ln, *tn;

		if (!lt || !tt)
			return -EINVAL;
		if (btf_is_composite(lt) && btf_is_composite(tt))
			return 1;
		if (!btf_kind_core_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			ln = btf__name_by_offset(lbtf, lt->name_off);
			tn = btf__name_by_offset(tbtf, tt->name_off);
			if (!ln || !tn)
				return -EINVAL;
			return !essential_len(ln) || !essential_len(tn) || same_essential(ln, tn);
		case BTF_KIND_INT:
			return !btf_int_offset(lt) && !btf_int_offset(tt);
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			break;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Type relocations other than TYPE_MATCHES: kinds agree down through
 * pointers, arrays and function signatures; names below the root and sizes
 * are not compared. 1, 0, or -EINVAL. */
static int types_compat(const struct btf *lbtf, uint32_t lid, const struct btf *tbtf, uint32_t tid, int level)
{
	const struct btf_type *lt = btf__type_by_id(lbtf, lid), *tt = btf__type_by_id(tbtf, tid);

	if (!lt || !tt)
		return -EINVAL;
	if (!btf_kind_core_compat(lt, tt))
		return 0;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_param *lp, *tp;

		lt = mhse_btf__skip_mods(lbtf, lid, &lid);
		tt = mhse_btf__skip_mods(tbtf, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!btf_kind_core_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return !btf_int_offset(lt) && !btf_int_offset(tt);
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			break;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			break;
		case BTF_KIND_FUNC_PROTO:
			if (btf_vlen(lt) != btf_vlen(tt))
				return 0;
			lp = btf_params(lt);
			tp = btf_params(tt);
			for (int i = 0; i < btf_vlen(lt); i++) {
				int ok = level > 0 ? types_compat(lbtf, lp[i].type, tbtf, tp[i].type, level - 1) : -EINVAL;

				if (ok <= 0)
					return ok;
			}
			lid = lt->type;
			tid = tt->type;
			break;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

static int types_match(const struct btf *lbtf, uint32_t lid, const struct btf *tbtf, uint32_t tid, bool behind_ptr,
		       int level);

/* Every local enumerator has a target one of the same name; sizes equal. */
static int enums_match(const struct btf *lbtf, const struct btf_type *lt, const struct btf *tbtf,
		       const struct btf_type *tt)
{
	if (lt->size != tt->size || btf_vlen(lt) > btf_vlen(tt))
		return 0;
	for (int i = 0; i < btf_vlen(lt); i++) {
		bool matched = false;

		for (int j = 0; j < btf_vlen(tt) && !matched; j++)
			matched = names_match(lbtf, enumerator_name_off(lt, i), tbtf, enumerator_name_off(tt, j));
		if (!matched)
			return 0;
	}
	return 1;
}

/* Every local member has a target member of the same name whose type matches. */
static int composites_match(const struct btf *lbtf, const struct btf_type *lt, const struct btf *tbtf,
			    const struct btf_type *tt, bool behind_ptr, int level)
{
	const struct btf_member *lm = btf_members(lt);

	if (btf_vlen(lt) > btf_vlen(tt))
		return 0;
	for (int i = 0; i < btf_vlen(lt); i++, lm++) {
		const struct btf_member *tm = btf_members(tt);
		int matched = 0;

		for (int j = 0; j < btf_vlen(tt) && !matched; j++, tm++) {
			if (!names_match(lbtf, lm->name_off, tbtf, tm->name_off))
				continue;
			matched = types_match(lbtf, lm->type, tbtf, tm->type, behind_ptr, level - 1);
			if (matched < 0)
				return matched;
		}
		if (!matched)
			return 0;
	}
	return 1;
}

/* TYPE_MATCHES: same kinds and names all the way down, members and
 * enumerators by name, integers by size and sign; behind a pointer a struct
 * or union also matches a forward declaration of its kind. 1, 0, or -EINVAL. */
static int types_match(const struct btf *lbtf, uint32_t lid, const struct btf *tbtf, uint32_t tid, bool behind_ptr,
		       int level)
{
	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *lt = mhse_btf__skip_mods(lbtf, lid, &lid);
		const struct btf_type *tt = mhse_btf__skip_mods(tbtf, tid, &tid);
		const struct btf_param *lp, *tp;
		uint16_t lk, tk;

		if (!lt || !tt)
			return -EINVAL;
		if (!names_match(lbtf, lt->name_off, tbtf, tt->name_off))
			return 0;
		lk = btf_kind(lt);
		tk = btf_kind(tt);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD:
			if (lk == tk)
				return btf_kflag(lt) == btf_kflag(tt);
			/* a forward declaration's kflag: 0 declares a struct, 1 a union */
			return behind_ptr && ((tk == BTF_KIND_STRUCT && !btf_kflag(lt)) ||
					      (tk == BTF_KIND_UNION && btf_kflag(lt)));
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return btf_is_any_enum(tt) && enums_match(lbtf, lt, tbtf, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr && lk != tk)
				return tk == BTF_KIND_FWD && (lk == BTF_KIND_UNION) == btf_kflag(tt);
			if (lk != tk)
				return 0;
			return behind_ptr ? 1 : composites_match(lbtf, lt, tbtf, tt, behind_ptr, level);
		case BTF_KIND_INT:
			return lk == tk && lt->size == tt->size &&
			       (btf_int_encoding(lt) & BTF_INT_SIGNED) == (btf_int_encoding(tt) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = lt->type;
			tid = tt->type;
			break;
		case BTF_KIND_ARRAY:
			if (lk != tk || btf_array(lt)->nelems != btf_array(tt)->nelems)
				return 0;
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			break;
		case BTF_KIND_FUNC_PROTO:
			if (lk != tk || btf_vlen(lt) != btf_vlen(tt))
				return 0;
			lp = btf_params(lt);
			tp = btf_params(tt);
			for (int i = 0; i < btf_vlen(lt); i++) {
				int ok = types_match(lbtf, lp[i].type, tbtf, tp[i].type, behind_ptr, level - 1);

				if (ok <= 0)
					return ok;
			}
			lid = lt->type;
			tid = tt->type;
			break;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Finds the target member the local named accessor la names in the
 * composite tid, looking through anonymous members, and appends it to ts.
 * 1 found and compatible, 0 not, or a negative errno. */
static int match_member(const struct btf *lbtf, const struct accessor *la, const struct btf *tbtf, uint32_t tid,
			struct spec *ts, uint32_t *next_id)
{
	const struct btf_type *lt = btf__type_by_id(lbtf, la->type_id);
	const struct btf_type *tt = mhse_btf__skip_mods(tbtf, tid, &tid);
	const struct btf_member *m;

	if (!tt)
		return -EINVAL;
	if (!btf_is_composite(tt))
		return 0;
	m = btf_members(tt);
	for (int i = 0; i < btf_vlen(tt); i++, m++) {
		uint32_t bit_off = btf_member_bit_offset(tt, (uint32_t)i);
		const char *name = btf__name_by_offset(tbtf, m->name_off);
		int found;

		if (ts->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		ts->bit_offset += bit_off;
		ts->raw_len++;
		if (!name || !*name) {
			found = match_member(lbtf, la, tbtf, m->type, ts, next_id);
			if (found)
				return found;
		} else if (!strcmp(la->name, name)) {
			ts->acc[ts->len++] = (struct accessor){ .type_id = tid, .idx = (uint32_t)i, .name = name };
			*next_id = m->type;
			found = fields_compat(lbtf, btf_members(lt)[la->idx].type, tbtf, m->type);
			if (!found)
				ts->len--;
			return found;
		}
		ts->bit_offset -= bit_off;
		ts->raw_len--;
	}
	return 0;
}

/* Matches the local spec ls against target type tid, building ts. 1 on a
 * match, 0 on none, or a negative errno. */
static int spec_match(const struct spec *ls, const struct btf *tbtf, uint32_t tid, struct spec *ts)
{
	const struct btf_type *tt;

	memset(ts, 0, sizeof(*ts));
	ts->btf = tbtf;
	ts->root_id = tid;
	ts->kind = ls->kind;
	switch (relo_class(ls->kind)) {
	case RELO_TYPE:
		if (ls->kind == BPF_CORE_TYPE_MATCHES)
			return types_match(ls->btf, ls->root_id, tbtf, tid, false, MAX_DEPTH);
		return types_compat(ls->btf, ls->root_id, tbtf, tid, MAX_DEPTH);
	case RELO_ENUMVAL:
		tt = mhse_btf__skip_mods(tbtf, tid, &tid);
		if (!tt || !btf_is_any_enum(tt))
			return 0;
		for (int i = 0; i < btf_vlen(tt); i++) {
			const char *name = btf__name_by_offset(tbtf, enumerator_name_off(tt, i));

			if (name && same_essential(ls->acc[0].name, name)) {
				ts->acc[0] = (struct accessor){ .type_id = tid, .idx = (uint32_t)i, .name = name };
				ts->len = ts->raw_len = 1;
				return 1;
			}
		}
		return 0;
	case RELO_FIELD:
		break;
	default:
		return -EINVAL;
	}
	for (int i = 0; i < ls->len; i++) {
		const struct accessor *la = &ls->acc[i];

		tt = mhse_btf__skip_mods(tbtf, tid, &tid);
		if (!tt)
			return -EINVAL;
		if (la->name) {
			int found = match_member(ls->btf, la, tbtf, tid, ts, &tid);

			if (found <= 0)
				return found;
			continue;
		}
		/* the first accessor indexes through the root pointer; later ones index arrays */
		if (i > 0) {
			const struct btf_array *a;

			if (!btf_is_array(tt))
				return 0;
			a = btf_array(tt);
			if (!is_flex_array(tbtf, &ts->acc[ts->len - 1], a) && la->idx >= a->nelems)
				return 0;
			if (!mhse_btf__skip_mods(tbtf, a->type, &tid))
				return -EINVAL;
		}
		if (ts->raw_len == SPEC_MAX_LEN)
			return -E2BIG;
		ts->acc[ts->len++] = (struct accessor){ .type_id = tid, .idx = la->idx };
		ts->raw_len++;
		if (add_bits(ts, la->idx, btf__resolve_size(tbtf, tid)))
			return -EINVAL;
	}
	return 1;
}

/* A field relocation's value for spec s (NULL: no candidate matched). field_sz
 * and type_id describe the field a plain (non-bitfield) offset names. 0,
 * POISON, or a negative errno with *why. */
static int field_value(uint32_t kind, const struct spec *s, uint64_t *val, uint32_t *field_sz, uint32_t *type_id,
		       bool *validate, const char **why)
{
	const struct accessor *acc;
	const struct btf_type *t, *mt;
	uint32_t bit_off, bit_sz, byte_off, byte_sz, field_type_id;
	int64_t sz;

	*field_sz = 0;
	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	acc = &s->acc[s->len - 1];
	if (!acc->name) {
		sz = btf__resolve_size(s->btf, acc->type_id);
		if (sz < 0 || sz > UINT32_MAX || (kind != BPF_CORE_FIELD_BYTE_OFFSET && kind != BPF_CORE_FIELD_BYTE_SIZE)) {
			*why = "the relocation does not apply to an array element";
			return -EINVAL;
		}
		*val = kind == BPF_CORE_FIELD_BYTE_OFFSET ? s->bit_offset / 8 : (uint64_t)sz;
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	t = btf__type_by_id(s->btf, acc->type_id);
	mt = mhse_btf__skip_mods(s->btf, btf_members(t)[acc->idx].type, &field_type_id);
	if (!mt) {
		*why = "the field's type is malformed";
		return -EINVAL;
	}
	bit_off = s->bit_offset;
	bit_sz = btf_member_bitfield_size(t, acc->idx);
	if (bit_sz) {
		/* the smallest aligned load that holds the whole bitfield */
		byte_sz = mt->size;
		if (!byte_sz || byte_sz > 8) {
			*why = "the bitfield's type has no load size";
			return -EINVAL;
		}
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8) {
				*why = "the bitfield cannot be read with one 64-bit load";
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = btf__resolve_size(s->btf, field_type_id);
		if (sz < 0 || sz > UINT32_MAX / 8) {
			*why = "the field has no size";
			return -EINVAL;
		}
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* A bitfield's offset, size and left shift depend on the load the
	 * compiler chose: only its signedness and right shift are checked. */
	if (validate)
		*validate = !btf_member_bitfield_size(t, acc->idx) || kind == BPF_CORE_FIELD_SIGNED ||
			    kind == BPF_CORE_FIELD_RSHIFT_U64;
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!btf_member_bitfield_size(t, acc->idx)) {
			*field_sz = byte_sz;
			*type_id = field_type_id;
		}
		return 0;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		return 0;
	case BPF_CORE_FIELD_SIGNED:
		*val = (btf_is_any_enum(mt) && btf_kflag(mt)) || (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		return 0;
	case BPF_CORE_FIELD_LSHIFT_U64:
		*val = (uint32_t)(64 - (bit_off + bit_sz - byte_off * 8));
		return 0;
	default: /* BPF_CORE_FIELD_RSHIFT_U64 */
		*val = (uint32_t)(64 - bit_sz);
		return 0;
	}
}

/* A type relocation's value for spec s (NULL: no candidate): 0 for all. */
static int type_value(uint32_t kind, const struct spec *s, uint64_t *val, bool *validate, const char **why)
{
	int64_t sz;

	if (validate)
		*validate = kind != BPF_CORE_TYPE_ID_TARGET;
	*val = 0;
	if (!s)
		return 0;
	switch (kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		/* type ids change when objects are linked: the emitted one is not checked */
		*val = s->root_id;
		return 0;
	case BPF_CORE_TYPE_SIZE:
		sz = btf__resolve_size(s->btf, s->root_id);
		if (sz < 0) {
			*why = "the type has no size";
			return -EINVAL;
		}
		*val = (uint64_t)sz;
		return 0;
	default: /* BPF_CORE_TYPE_EXISTS, BPF_CORE_TYPE_MATCHES */
		*val = 1;
		return 0;
	}
}

static int enum_value(uint32_t kind, const struct spec *s, uint64_t *val)
{
	const struct btf_type *t;

	if (kind == BPF_CORE_ENUMVAL_EXISTS) {
		*val = s != NULL;
		return 0;
	}
	if (!s)
		return POISON;
	t = btf__type_by_id(s->btf, s->acc[0].type_id);
	/* a 32-bit enumerator is signed in BTF, and widened as such */
	*val = btf_is_enum(t) ? (uint64_t)(int64_t)btf_enum(t)[s->acc[0].idx].val :
				btf_enum64_value(btf_enum64(t) + s->acc[0].idx);
	return 0;
}

/* A load or store may change size only where zero-extension keeps the
 * value: pointers, and unsigned integers. */
static bool resize_is_safe(const struct btf *lbtf, uint32_t lid, const struct btf *tbtf, uint32_t tid)
{
	const struct btf_type *lt = btf__type_by_id(lbtf, lid), *tt = btf__type_by_id(tbtf, tid);

	if (!lt || !tt)
		return false;
	return (btf_is_ptr(lt) && btf_is_ptr(tt)) ||
	       (btf_is_int(lt) && btf_is_int(tt) && btf_int_encoding(lt) != BTF_INT_SIGNED &&
		btf_int_encoding(tt) != BTF_INT_SIGNED);
}

/* The relocation's result for local spec ls and target spec ts (NULL: no
 * candidate). 0, or a negative errno with *why. */
static int compute(const struct spec *ls, const struct spec *ts, struct result *res, const char **why)
{
	int err;

	*res = (struct result){ .validate = true };
	switch (relo_class(ls->kind)) {
	case RELO_FIELD:
		err = field_value(ls->kind, ls, &res->orig, &res->orig_sz, &res->orig_type, &res->validate, why);
		if (!err)
			err = field_value(ls->kind, ts, &res->val, &res->new_sz, &res->new_type, NULL, why);
		if (!err && res->orig_sz != res->new_sz &&
		    !resize_is_safe(ls->btf, res->orig_type, ts->btf, res->new_type))
			res->poison_why = "the field changed size, and only pointers and unsigned integers may";
		break;
	case RELO_TYPE:
		err = type_value(ls->kind, ls, &res->orig, &res->validate, why);
		if (!err)
			err = type_value(ls->kind, ts, &res->val, NULL, why);
		break;
	default:
		err = enum_value(ls->kind, ls, &res->orig);
		if (!err)
			err = enum_value(ls->kind, ts, &res->val);
		break;
	}
	if (err == POISON) {
		res->poison = true;
		res->poison_why = "no match in the target BTF";
		err = 0;
	}
	return err;
}

/* The target types a local type may relocate to, found once per local type. */
static struct cands *cands_of(struct relocator *r, uint32_t local_id)
{
	struct cands *c = &r->cands[local_id];
	const struct btf_type *lt = btf__type_by_id(r->local, local_id);
	const char *lname = btf__name_by_offset(r->local, lt->name_off);
	uint32_t cnt = btf__type_cnt(r->target), cap = 0;

	if (c->found)
		return c;
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(r->target, id);
		const char *name = t ? btf__name_by_offset(r->target, t->name_off) : NULL;

		if (!name || !*name || !btf_kind_core_compat(t, lt) || !same_essential(lname, name))
			continue;
		if (c->cnt == cap) {
			uint32_t *ids = realloc(c->ids, (cap ? cap * 2 : 4) * sizeof(*ids));

			if (!ids)
				return NULL;
			c->ids = ids;
			cap = cap ? cap * 2 : 4;
		}
		c->ids[c->cnt++] = id;
	}
	c->found = true;
	return c;
}

/* Resolves r->local_spec against its candidates into res. 0, or a negative errno with *why. */
static int resolve(struct relocator *r, struct cands *c, struct result *res, const char **why)
{
	size_t kept = 0;
	int err;

	for (size_t i = 0; i < c->cnt; i++) {
		struct result cand_res;
		int found = spec_match(&r->local_spec, r->target, c->ids[i], &r->cand_spec);

		if (found < 0) {
			*why = "a candidate in the target BTF is malformed or nested too deep";
			return found;
		}
		if (!found)
			continue;
		err = compute(&r->local_spec, &r->cand_spec, &cand_res, why);
		if (err)
			return err;
		if (!kept) {
			*res = cand_res;
			r->targ_spec = r->cand_spec;
		} else if (r->cand_spec.bit_offset != r->targ_spec.bit_offset || cand_res.poison != res->poison ||
			   cand_res.val != res->val) {
			/* libbpf refuses the object here; the candidates stay as they were */
			res->poison = true;
			res->poison_why = "candidates in the target BTF disagree";
			return 0;
		}
		r->kept[kept++] = c->ids[i];
	}
	if (kept) {
		memcpy(c->ids, r->kept, kept * sizeof(*c->ids));
		c->cnt = kept;
		return 0;
	}
	return compute(&r->local_spec, NULL, res, why);
}

/* The invalid helper call libbpf writes over an instruction it cannot relocate. */
static void poison_insn(struct bpf_insn *insn)
{
	*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = MHSE_CORE_POISON_CALL };
}

static int load_size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

static uint32_t load_size_bytes(const struct bpf_insn *insn)
{
	static const uint32_t bytes[] = { [BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1, [BPF_DW >> 3] = 8 };

	return bytes[BPF_SIZE(insn->code) >> 3];
}

/* Writes res into insns[idx] (and its second half), or poisons it. 0, or
 * -EINVAL with the problem in why. */
static int patch(struct bpf_insn *insns, size_t cnt, size_t idx, struct result *res, char *why, size_t why_len)
{
	struct bpf_insn *insn = &insns[idx];
	uint64_t imm64;
	int code;

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			break;
		if (res->poison) {
			poison_insn(insn);
			return 0;
		}
		if (res->validate && (uint64_t)(int64_t)insn->imm != res->orig) {
			snprintf(why, why_len, "the instruction's immediate is %d where the local types give %llu", insn->imm,
				 (unsigned long long)res->orig);
			return -EINVAL;
		}
		insn->imm = (int32_t)res->val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		if (res->poison) {
			poison_insn(insn);
			return 0;
		}
		if (res->validate && (uint64_t)(int64_t)insn->off != res->orig) {
			snprintf(why, why_len, "the instruction's offset is %d where the local types give %llu", insn->off,
				 (unsigned long long)res->orig);
			return -EINVAL;
		}
		if (res->val > INT16_MAX) {
			snprintf(why, why_len, "offset %llu does not fit an instruction", (unsigned long long)res->val);
			return -ERANGE;
		}
		if (res->poison_why) {
			res->poison = true;
			poison_insn(insn);
			return 0;
		}
		insn->off = (int16_t)res->val;
		if (res->new_sz == res->orig_sz)
			return 0;
		code = load_size_code(res->new_sz);
		if (load_size_bytes(insn) != res->orig_sz || code < 0) {
			snprintf(why, why_len, "a %u-byte access of a field of %u bytes, now %u", load_size_bytes(insn),
				 res->orig_sz, res->new_sz);
			return -EINVAL;
		}
		insn->code = (uint8_t)(BPF_MODE(insn->code) | code | BPF_CLASS(insn->code));
		return 0;
	case BPF_LD:
		if (!insn_is_ld_imm64(insn) || idx + 1 >= cnt || insn[0].src_reg || insn[0].off || insn[1].code ||
		    insn[1].dst_reg || insn[1].src_reg || insn[1].off)
			break;
		if (res->poison) {
			poison_insn(&insn[0]);
			poison_insn(&insn[1]);
			return 0;
		}
		imm64 = insn_imm64(insn);
		if (res->validate && imm64 != res->orig) {
			snprintf(why, why_len, "the instruction loads %llu where the local types give %llu",
				 (unsigned long long)imm64, (unsigned long long)res->orig);
			return -EINVAL;
		}
		insn[0].imm = (int32_t)(uint32_t)res->val;
		insn[1].imm = (int32_t)(uint32_t)(res->val >> 32);
		return 0;
	default:
		break;
	}
	snprintf(why, why_len, "opcode 0x%02x cannot be relocated", insn->code);
	return -EINVAL;
}

static __attribute__((format(printf, 4, 5))) void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	*pos += n > 0 ? (size_t)n : 0;
}

/* "field offset of struct task_struct.comm[2]", "enum value of enum e::X". */
static void describe(const struct bpf_core_relo *relo, const struct spec *ls, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(ls->btf, relo->type_id);
	const char *name = t ? btf__name_by_offset(ls->btf, t->name_off) : NULL;
	size_t pos = 0;

	append(buf, len, &pos, "%s of %s %s", relo->kind < sizeof(kind_names) / sizeof(kind_names[0]) &&
			       kind_names[relo->kind] ? kind_names[relo->kind] : "relocation",
	       t ? btf_kind_name(t) : "type", name && *name ? name : "<anonymous>");
	if (relo_class(relo->kind) == RELO_ENUMVAL && ls->len)
		append(buf, len, &pos, "::%s", ls->acc[0].name);
	if (relo_class(relo->kind) != RELO_FIELD)
		return;
	for (int i = 0; i < ls->len; i++) {
		if (ls->acc[i].name)
			append(buf, len, &pos, ".%s", ls->acc[i].name);
		else if (i > 0 || ls->acc[i].idx)
			append(buf, len, &pos, "[%u]", ls->acc[i].idx);
	}
}

static int add_poison(struct mhse_code_sec *sec, size_t insn, const char *what)
{
	struct mhse_poison *p = realloc(sec->poisons, (sec->poison_cnt + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	sec->poisons = p;
	p[sec->poison_cnt] = (struct mhse_poison){ .insn = insn, .what = strdup(what) };
	return p[sec->poison_cnt++].what ? 0 : -ENOMEM;
}

/* Resolves and applies one record (number no of its section). 1 when it
 * poisoned its instruction, 0 when it patched it, or a negative errno. */
static int relocate_one(struct relocator *r, const struct bpf_core_relo *relo, size_t no, struct mhse_code_sec *sec)
{
	const struct btf_type *lt = btf__type_by_id(r->local, relo->type_id);
	const char *lname = lt ? btf__name_by_offset(r->local, lt->name_off) : NULL;
	size_t idx = relo->insn_off / sizeof(struct bpf_insn);
	const char *why = "malformed";
	char what[128], problem[128], poison[192];
	struct result res;
	struct cands *c;
	bool ld_imm64 = false;
	int err;

	what[0] = '\0';
	if (relo->insn_off % sizeof(struct bpf_insn) || idx >= sec->insn_cnt ||
	    ((ld_imm64 = insn_is_ld_imm64(&sec->insns[idx])) && idx + 1 >= sec->insn_cnt)) {
		snprintf(problem, sizeof(problem), "names byte %u, not an instruction of the section", relo->insn_off);
		err = -EINVAL;
		goto fail;
	}
	if (!lname || relo_class(relo->kind) == RELO_UNKNOWN) {
		snprintf(problem, sizeof(problem), "names type %u and kind %u, which .BTF and libbpf do not have",
			 relo->type_id, relo->kind);
		err = -EINVAL;
		goto fail;
	}
	err = parse_spec(r->local, relo, &r->local_spec);
	describe(relo, &r->local_spec, what, sizeof(what));
	if (err) {
		const char *access = btf__name_by_offset(r->local, relo->access_str_off);

		snprintf(problem, sizeof(problem), "access string '%s' does not fit the type", access ? access : "?");
		goto fail;
	}
	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		/* the object's own id, not checked: linking renumbers types */
		res = (struct result){ .orig = relo->type_id, .val = relo->type_id };
	} else if (!*lname) {
		snprintf(problem, sizeof(problem), "libbpf relocates no anonymous type");
		err = -EOPNOTSUPP;
		goto fail;
	} else {
		c = cands_of(r, relo->type_id);
		err = c ? resolve(r, c, &res, &why) : -ENOMEM;
		if (err) {
			snprintf(problem, sizeof(problem), "%s", why);
			goto fail;
		}
	}
	err = patch(sec->insns, sec->insn_cnt, idx, &res, problem, sizeof(problem));
	if (err)
		goto fail;
	if (!res.poison)
		return 0;
	snprintf(poison, sizeof(poison), "CO-RE relocation #%zu of %s (%s) is poisoned: %s", no, sec->name, what,
		 res.poison_why);
	err = add_poison(sec, idx, poison);
	if (!err && ld_imm64)
		err = add_poison(sec, idx + 1, poison);
	return err ?: 1;
fail:
	if (err != -ENOMEM)
		pr_err("%s: CO-RE relocation #%zu of %s%s%s%s: %s\n", r->file, no, sec->name, what[0] ? " (" : "", what,
		       what[0] ? ")" : "", problem);
	return err;
}

int mhse_core__relocate(const char *file, const struct btf *local, const struct btf *target,
			const struct mhse_core_rec *recs, size_t cnt, struct mhse_code_sec *secs, size_t *poisoned)
{
	struct relocator *r = calloc(1, sizeof(*r));
	uint32_t local_cnt = btf__type_cnt(local);
	size_t no = 0;
	int err = 0;

	*poisoned = 0;
	if (!r)
		return -ENOMEM;
	*r = (struct relocator){ .file = file, .local = local, .target = target };
	r->cands = calloc(local_cnt, sizeof(*r->cands));
	r->kept = malloc((btf__type_cnt(target) ? btf__type_cnt(target) : 1) * sizeof(*r->kept));
	if (!r->cands || !r->kept)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < cnt; i++) {
		/* libbpf numbers relocations within each section's block */
		no = i && recs[i].sec == recs[i - 1].sec ? no + 1 : 0;
		err = relocate_one(r, &recs[i].relo, no, &secs[recs[i].sec]);
		if (err > 0)
			++*poisoned;
		err = err > 0 ? 0 : err;
	}
	for (uint32_t id = 0; r->cands && id < local_cnt; id++)
		free(r->cands[id].ids);
	free(r->cands);
	free(r->kept);
	free(r);
	return err;
}
