/* SPDX-License-Identifier: GPL-2.0 */
/*
 * window.h: the best rate over any one-second window of a run. The test VM
 * shares a small host with other VMs; a run's least disturbed second is a
 * steadier figure than its mean, which is kept too (tps_mean).
 */
#ifndef BENCH_WINDOW_H
#define BENCH_WINDOW_H

#include <stdint.h>

#define WINDOW_SAMPLES 8192
#define WINDOW_STEP 0.1 /* seconds between samples */
#define WINDOW_SPAN 1.0 /* seconds of the window */

struct window {
	double t[WINDOW_SAMPLES];
	uint64_t n[WINDOW_SAMPLES];
	int k;
};

/* Record @n events done by time @t (at most every WINDOW_STEP). */
static inline void window_add(struct window *w, double t, uint64_t n)
{
	if (w->k && t - w->t[w->k - 1] < WINDOW_STEP)
		return;
	if (w->k == WINDOW_SAMPLES)
		return;
	w->t[w->k] = t;
	w->n[w->k++] = n;
}

/* Events per second over the best window (the mean when too short). */
static inline double window_best(const struct window *w, double mean)
{
	double best = 0;

	for (int j = 1, i = 0; j < w->k; j++) {
		while (i + 1 < j && w->t[j] - w->t[i + 1] >= WINDOW_SPAN)
			i++;
		if (w->t[j] - w->t[i] >= WINDOW_SPAN) {
			double r = (w->n[j] - w->n[i]) / (w->t[j] - w->t[i]);

			if (r > best)
				best = r;
		}
	}
	return best > 0 ? best : mean;
}

#endif
