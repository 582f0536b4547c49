/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ad_walk: a pre-order walk over any tree without recursion, for the
 * printers and the tools. See internal.h for the contract.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "codec.h"

enum { WALK_START, WALK_RUNNING, WALK_DONE };

void
ad_walk_init(struct ad_walk *w, const argdata_t *root)
{
	w->stack = w->local;
	w->cap = sizeof(w->local) / sizeof(w->local[0]);
	w->top = 0;
	w->root = root;
	w->state = WALK_START;
	w->convert_fd = NULL;
	w->convert_fd_arg = NULL;
}

void
ad_walk_free(struct ad_walk *w)
{
	if (w->stack != w->local)
		free(w->stack);
	w->stack = w->local;
	w->top = 0;
	w->state = WALK_DONE;
}

static int
push(struct ad_walk *w, struct ad_walk_frame f)
{
	if (ad_grow(&w->stack, &w->cap, w->top, 1, sizeof(*w->stack),
	        w->local) != 0)
		return ENOMEM;
	w->stack[w->top++] = f;
	return 0;
}

/* Reports v; a map or sequence is opened. */
static int
emit(struct ad_walk *w, const argdata_t *v, size_t index,
    struct ad_walk_event *ev)
{
	int error;

	*ev = (struct ad_walk_event){.kind = AD_WALK_VALUE,
	    .value = v,
	    .depth = w->top,
	    .index = index};
	if (v->repr == AD_MAP || v->repr == AD_SEQ) {
		ev->kind = AD_WALK_BEGIN;
		ev->map = v->repr == AD_MAP;
		error =
		    push(w, (struct ad_walk_frame){.node = v, .map = ev->map});
	} else if (v->repr == AD_BUFFER && v->length > 0 &&
	    (v->u.buffer.data[0] == AD_TAG_MAP ||
	        v->u.buffer.data[0] == AD_TAG_SEQ)) {
		ev->kind = AD_WALK_BEGIN;
		ev->map = v->u.buffer.data[0] == AD_TAG_MAP;
		w->convert_fd = v->u.buffer.convert_fd;
		w->convert_fd_arg = v->u.buffer.convert_fd_arg;
		error = push(w,
		    (struct ad_walk_frame){.pos = v->u.buffer.data + 1,
		        .end = v->u.buffer.data + v->length,
		        .map = ev->map});
	} else {
		return 0;
	}
	if (error != 0) {
		w->state = WALK_DONE;
		ev->error = "out of memory";
	}
	return error;
}

int
ad_walk_next(struct ad_walk *w, struct ad_walk_event *ev)
{
	struct ad_walk_frame *f;

	if (w->state == WALK_START) {
		w->state = WALK_RUNNING;
		return emit(w, w->root, 0, ev);
	}
	if (w->state == WALK_DONE || w->top == 0) {
		w->state = WALK_DONE;
		*ev = (struct ad_walk_event){.kind = AD_WALK_DONE};
		return 0;
	}
	f = &w->stack[w->top - 1];
	if (f->node != NULL) {
		const argdata_t *c = f->node;
		size_t n = c->u.container.count * (f->map ? 2 : 1);

		if (f->index < n) {
			size_t i = f->index++;
			const argdata_t *v = !f->map ? c->u.container.keys[i]
			    : i % 2 == 0 ? c->u.container.keys[i / 2]
			                 : c->u.container.values[i / 2];
			return emit(w, v, i, ev);
		}
	} else if (f->pos < f->end) {
		const uint8_t *field;
		size_t len;
		const char *why =
		    ad_read_subfield(&f->pos, f->end, &field, &len);

		if (why != NULL) {
			w->state = WALK_DONE;
			*ev = (struct ad_walk_event){.kind = AD_WALK_DONE,
			    .depth = w->top,
			    .error = why};
			return EINVAL;
		}
		ad_init_buffer(&w->scratch, field, len, w->convert_fd,
		    w->convert_fd_arg);
		return emit(w, &w->scratch, f->index++, ev);
	} else if (f->map && f->index % 2 != 0) {
		w->state = WALK_DONE;
		*ev = (struct ad_walk_event){.kind = AD_WALK_DONE,
		    .depth = w->top,
		    .error = "map ends with a key that has no value"};
		return EINVAL;
	}
	/* The container is finished. */
	*ev = (struct ad_walk_event){.kind = AD_WALK_END,
	    .value = f->node,
	    .map = f->map,
	    .depth = w->top - 1};
	w->top--;
	return 0;
}
