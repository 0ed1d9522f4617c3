// SPDX-License-Identifier: GPL-2.0
/*
 * rvm: inter-transaction coalescing in the spool (RVM_COALESCE_TRANS).
 *
 * Consecutive no_flush records that asked for it are merged into one
 * record before the writer encodes them: where their ranges overlap, the
 * newest bytes win, and the merged record commits all of them or none,
 * which keeps the recovered state a prefix of the commit order. The ranges
 * are sorted and their union built once, then each record's bytes are
 * copied in, oldest first: linear in the bytes, where adding records one
 * by one to a range set would copy each union again.
 */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "dseg.h"
#include "log.h"
#include "log_priv.h"
#include "volume.h"

/* One piece of a merge: a range of a record, in commit order. */
struct rvm_spool_piece {
	u64 off;
	u64 len;
};

static int rvm_spool_piece_cmp(const void *a, const void *b)
{
	const struct rvm_spool_piece *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

/* The range of a merged record that holds byte @off. */
static u32 rvm_spool_find(const struct rvm_rec *m, u64 off)
{
	u32 lo = 0, hi = m->nranges;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (RVM_SEG_OFFSET(m->ranges[mid].seg, m->ranges[mid].offset) <=
		    off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Merge @n records from @first on (@nranges ranges in all) into a new
 * record: the union of their ranges (overlapping and adjacent ones joined),
 * each byte with its newest value. The union is found by sorting, and the
 * ranges are copied in commit order: linear in the bytes, however many
 * records. NULL if memory is short (the records are then written as they
 * are).
 */
static struct rvm_rec *rvm_spool_merge_run(struct rvm_rec *first,
					   unsigned long n, u64 nranges)
{
	struct rvm_spool_piece *pc;
	struct rvm_rec *m, *rec;
	u64 total = 0, pos = 0, k = 0, u = 0;
	unsigned long i;
	u32 j;

	pc = kvmalloc_array(nranges, sizeof(*pc), GFP_KERNEL | __GFP_NOWARN);
	if (!pc)
		return NULL;
	rec = first;
	for (i = 0; i < n; i++, rec = list_next_entry(rec, node))
		for (j = 0; j < rec->nranges; j++) {
			pc[k].off = RVM_SEG_OFFSET(rec->ranges[j].seg,
						   rec->ranges[j].offset);
			pc[k++].len = rec->ranges[j].len;
		}
	sort(pc, k, sizeof(*pc), rvm_spool_piece_cmp, NULL);
	for (i = 0; i < k; i++) {
		struct rvm_spool_piece *last = u ? &pc[u - 1] : NULL;
		u64 end = pc[i].off + pc[i].len;

		/* Joined within a segment only (rvm_log_check_rec()). */
		if (last && pc[i].off <= last->off + last->len &&
		    RVM_VOFF_SEG(last->off) == RVM_VOFF_SEG(pc[i].off))
			last->len = max(last->off + last->len, end) - last->off;
		else
			pc[u++] = pc[i];
	}
	for (i = 0; i < u; i++)
		total += pc[i].len;

	m = kzalloc(sizeof(*m), GFP_KERNEL | __GFP_NOWARN);
	if (!m)
		goto free_pieces;
	m->ranges = kvmalloc_array(u, sizeof(*m->ranges),
				   GFP_KERNEL | __GFP_NOWARN);
	m->data = kvmalloc(max_t(u64, total, 1), GFP_KERNEL | __GFP_NOWARN);
	if (!m->ranges || !m->data)
		goto free_rec;
	for (i = 0; i < u; i++) {
		m->ranges[i].seg = RVM_VOFF_SEG(pc[i].off);
		m->ranges[i].offset = RVM_VOFF_OFF(pc[i].off);
		m->ranges[i].len = pc[i].len;
		m->ranges[i].data = m->data + pos;
		pos += pc[i].len;
	}
	m->nranges = u;
	m->data_len = total;
	kvfree(pc);

	/* Oldest first, so that each byte ends up with its newest value. */
	rec = first;
	for (i = 0; i < n; i++, rec = list_next_entry(rec, node)) {
		for (j = 0; j < rec->nranges; j++) {
			const struct rvm_range_src *r = &rec->ranges[j];
			u64 voff = RVM_SEG_OFFSET(r->seg, r->offset);
			u32 x = rvm_spool_find(m, voff);
			u8 *dst = m->data +
				  ((const u8 *)m->ranges[x].data - m->data);

			memcpy(dst + (r->offset - m->ranges[x].offset), r->data,
			       r->len);
		}
		m->declared += rec->declared;
		/* The last one's commit number, flags and id. */
		m->seq = rec->seq;
		m->flags = rec->flags;
		m->tid = rec->tid;
	}
	init_completion(&m->done);
	return m;

free_rec:
	rvm_rec_free(m);
free_pieces:
	kvfree(pc);
	return NULL;
}

static bool rvm_spool_can_merge(const struct rvm_rec *rec)
{
	return !rec->waited && !rec->ucmd && (rec->flags & RVM_END_NO_FLUSH) &&
	       (rec->flags & RVM_END_COALESCE_TRANS);
}

/**
 * rvm_spool_merge() - inter-transaction coalescing of records taken by the
 * writer
 * @vol: the volume
 * @take: the records the writer took, in commit order
 *
 * Merges each run of consecutive no_flush records flagged
 * RVM_END_COALESCE_TRANS into one record, as long as the merged record stays
 * within rvm_log_capacity(). Out of memory, the records stay as they are.
 */
void rvm_spool_merge(struct rvm_volume *vol, struct list_head *take)
{
	u64 cap = rvm_log_capacity(vol), saved = 0;
	struct rvm_rec *first, *last, *m, *rec, *tmp;

	first = list_first_entry_or_null(take, struct rvm_rec, node);
	while (first) {
		u64 bytes = rvm_rec_size(first), nranges = first->nranges;
		unsigned long n = 1, i;

		last = first;
		while (rvm_spool_can_merge(first) &&
		       !list_is_last(&last->node, take)) {
			rec = list_next_entry(last, node);
			if (!rvm_spool_can_merge(rec) ||
			    bytes + rvm_rec_size(rec) > cap)
				break;
			bytes += rvm_rec_size(rec);
			nranges += rec->nranges;
			last = rec;
			n++;
		}
		tmp = list_is_last(&last->node, take) ?
			      NULL :
			      list_next_entry(last, node);
		m = n > 1 ? rvm_spool_merge_run(first, n, nranges) : NULL;
		if (m) {
			list_add_tail(&m->node, &first->node);
			rec = first;
			for (i = 0; i < n; i++) {
				struct rvm_rec *nx = list_next_entry(rec, node);

				list_del(&rec->node);
				rvm_rec_free(rec);
				rec = nx;
			}
			saved += bytes - rvm_rec_size(m);
		}
		first = tmp;
	}
	if (saved) {
		spin_lock(&vol->log.lock);
		vol->log.queued_bytes -= saved;
		spin_unlock(&vol->log.lock);
		atomic64_add(saved, &vol->stats.bytes_coalesced);
	}
}
