// SPDX-License-Identifier: MIT
/*
 * Coroutines for the explorer's threads.
 *
 * The explorer switches threads at almost every step, millions of times
 * per search, so the switch must cost a handful of instructions: on x86-64 it
 * saves the callee-saved registers on the old stack, swaps stack pointers
 * and pops them from the new one.  swapcontext() would do the same plus a
 * sigprocmask system call per switch, which alone would dominate a search.
 *
 * Stacks are mapped once per explorer, all thread slots in one mapping,
 * each with a guard page below it, and reused by every execution (a
 * mapping per slot cost more, in system calls and TLB shootdowns, than
 * a search of a small program).  A coroutine cut short (BUG, use after free,
 * deadlock) is simply never resumed: nothing on its stack owns anything the
 * explorer does not reclaim itself.  Under ASan each switch is announced
 * with the fiber annotations, and a reused stack is unpoisoned first, since
 * an abandoned frame leaves its redzones behind; under TSan too (below).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "explore/explore.h"

#ifdef DMO_XASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define STACK_SIZE (1024 * 1024)
#else
#define STACK_SIZE (256 * 1024)
#endif
#define GUARD 4096

/*
 * Under TSan each coroutine is a fiber of its own, and every switch is
 * announced, with the synchronisation it implies: the threads of one
 * execution take turns, so what one did happens before what the next
 * does.  Without it TSan would take the stacks' frames for one thread's
 * and lose track of them.  A slot's fiber is made again only when its
 * coroutine was abandoned (cut short), since that leaves frames behind.
 */
#if defined(__SANITIZE_THREAD__)
#define DMO_XTSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DMO_XTSAN 1
#endif
#endif

#ifdef DMO_XTSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#define TSAN_SWITCH(f) __tsan_switch_to_fiber((f), 0)
#else
#define TSAN_SWITCH(f) ((void)0)
#endif

#if defined(__x86_64__)

void dmo__ctx_switch(void **save_sp, void *next_sp);
void dmo__ctx_start(void);

/*
 * dmo__ctx_switch(save, next): push the callee-saved registers, store the
 * stack pointer in *save, load next and pop.  A fresh stack is laid out by
 * dmo__coro_init() so that the first switch "returns" into
 * dmo__ctx_start with the entry function in r13 and its argument in r12.
 */
__asm__(".text\n"
	".globl dmo__ctx_switch\n"
	".type dmo__ctx_switch,@function\n"
	"dmo__ctx_switch:\n"
	"\tpushq %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tpushq %r13\n"
	"\tpushq %r14\n"
	"\tpushq %r15\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tpopq %r15\n"
	"\tpopq %r14\n"
	"\tpopq %r13\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size dmo__ctx_switch, .-dmo__ctx_switch\n"
	".globl dmo__ctx_start\n"
	".type dmo__ctx_start,@function\n"
	"dmo__ctx_start:\n"
	"\tmovq %r12, %rdi\n"
	"\tandq $-16, %rsp\n"
	"\tcallq *%r13\n"
	"\tud2\n"
	".size dmo__ctx_start, .-dmo__ctx_start\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

#else
#error "the explorer's context switch is written for x86-64 only"
#endif

static void coro_entry(void *arg);

#define SLOT (STACK_SIZE + GUARD)

int dmo__coro_map(struct dmo__explorer *x)
{
	void *r;

	if (x->stacks)
		return 0;
	r = mmap(NULL, (size_t)SLOT * DMO_XMAX_THREADS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return -ENOMEM;
	x->stacks = r;
	return 0;
}

size_t dmo__coro_span(void)
{
	return (size_t)SLOT * DMO_XMAX_THREADS;
}

int dmo__coro_init(struct dmo__explorer *x, struct dmo__xthread *t)
{
	if (!t->stack) {
		char *m;

		if (dmo__coro_map(x))
			return -ENOMEM;
		m = (char *)x->stacks + (size_t)SLOT * (size_t)(t - x->th);
		mprotect(m, GUARD, PROT_NONE);
		t->stack = m + GUARD;
		t->stack_size = STACK_SIZE;
	}
#ifdef DMO_XASAN
	{
		/*
		 * An abandoned coroutine leaves the redzones of the frames
		 * it stood in poisoned, and those lie above where it last
		 * switched away: every frame below it has returned and
		 * cleared its own.  Clearing only that part, not the whole
		 * stack, keeps a search under ASan from spending its time
		 * writing shadow memory.
		 */
		uintptr_t lo = (uintptr_t)t->stack;
		uintptr_t hi = lo + t->stack_size;
		uintptr_t sp = (uintptr_t)t->sp;

		if (sp > lo + 4096 && sp <= hi)
			lo = (sp - 4096) & ~(uintptr_t)15;
		__asan_unpoison_memory_region((void *)lo, hi - lo);
	}
#endif
	t->fake_stack = NULL;
#ifdef DMO_XTSAN
	if (t->tsan_fiber && !t->tsan_ended) {
		__tsan_destroy_fiber(t->tsan_fiber);
		t->tsan_fiber = NULL;
	}
	if (!t->tsan_fiber)
		t->tsan_fiber = __tsan_create_fiber(0);
	t->tsan_ended = false;
#endif
	{
		/*
		 * Stacks are page-aligned, so the hot top frames of every
		 * coroutine would sit at the same page offset, in the same
		 * few L1 sets, and a dozen threads taking turns would evict
		 * each other's frames at every switch.  Each thread slot
		 * starts its stack at one of eight offsets instead.
		 */
		size_t colour = (size_t)((t - x->th) % 8) * 512;
		uintptr_t top = ((uintptr_t)t->stack + t->stack_size -
				 colour) & ~15ul;
		void **sp = (void **)top;

		*--sp = NULL;			/* never used */
		*--sp = (void *)dmo__ctx_start;	/* ret target */
		*--sp = NULL;			/* rbp */
		*--sp = NULL;			/* rbx */
		*--sp = (void *)x;		/* r12: argument */
		*--sp = (void *)coro_entry;	/* r13: entry */
		*--sp = NULL;			/* r14 */
		*--sp = NULL;			/* r15 */
		t->sp = sp;
	}
	return 0;
}

void dmo__coro_resume(struct dmo__explorer *x, struct dmo__xthread *t)
{
	int idx = (int)(t - x->th);

	x->cur = idx;
#ifdef DMO_XASAN
	__sanitizer_start_switch_fiber(&x->sched_fake, t->stack,
				       t->stack_size);
#endif
#ifdef DMO_XTSAN
	x->sched_fiber = __tsan_get_current_fiber();
#endif
	TSAN_SWITCH(t->tsan_fiber);
	dmo__ctx_switch(&x->sched_sp, t->sp);
#ifdef DMO_XASAN
	__sanitizer_finish_switch_fiber(x->sched_fake, NULL, NULL);
#endif
	x->cur = -1;
}

void dmo__coro_yield(struct dmo__explorer *x, struct dmo__xthread *t,
		     bool dying)
{
#ifdef DMO_XASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &t->fake_stack,
				       x->main_stack, x->main_stack_size);
#else
	(void)dying;
#endif
	TSAN_SWITCH(x->sched_fiber);
	dmo__ctx_switch(&t->sp, x->sched_sp);
#ifdef DMO_XASAN
	__sanitizer_finish_switch_fiber(t->fake_stack, NULL, NULL);
#endif
}

/*
 * Hand the CPU from one thread straight to another; @dying: @from has
 * ended and is never resumed (ASan then drops its fake stack).
 */
void dmo__coro_switch(struct dmo__explorer *x, struct dmo__xthread *from,
		      struct dmo__xthread *to, bool dying)
{
	x->cur = (int)(to - x->th);
#ifdef DMO_XASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack,
				       to->stack, to->stack_size);
#else
	(void)dying;
#endif
	TSAN_SWITCH(to->tsan_fiber);
	dmo__ctx_switch(&from->sp, to->sp);
#ifdef DMO_XASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

static void coro_entry(void *arg)
{
	struct dmo__explorer *x = arg;
	struct dmo__xthread *t = &x->th[x->cur];

#ifdef DMO_XASAN
	__sanitizer_finish_switch_fiber(NULL, &x->main_stack,
					&x->main_stack_size);
#endif
	t->fn(&x->sync, t->arg);
#ifdef DMO_XTSAN
	t->tsan_ended = true;
#endif
	dmo__x_end(x);
	dmo__coro_yield(x, t, true);
	/* An ended coroutine is never resumed. */
	__builtin_trap();
}

void dmo__coro_free(struct dmo__explorer *x)
{
	if (!x->stacks)
		return;
#ifdef DMO_XASAN
	/* Abandoned frames leave redzones behind: clear them first. */
	for (int i = 0; i < DMO_XMAX_THREADS; i++) {
		struct dmo__xthread *t = &x->th[i];
		uintptr_t lo = (uintptr_t)t->stack;
		uintptr_t hi = lo + t->stack_size;
		uintptr_t sp = (uintptr_t)t->sp;

		if (!t->stack)
			continue;
		if (sp > lo + 4096 && sp <= hi)
			lo = (sp - 4096) & ~(uintptr_t)15;
		__asan_unpoison_memory_region((void *)lo, hi - lo);
	}
#endif
	for (int i = 0; i < DMO_XMAX_THREADS; i++) {
		x->th[i].stack = NULL;
#ifdef DMO_XTSAN
		if (x->th[i].tsan_fiber)
			__tsan_destroy_fiber(x->th[i].tsan_fiber);
		x->th[i].tsan_fiber = NULL;
#endif
	}
	munmap(x->stacks, (size_t)SLOT * DMO_XMAX_THREADS);
	x->stacks = NULL;
}
