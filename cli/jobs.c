// SPDX-License-Identifier: MIT
/*
 * The explorations of a check run: in this process, in worker processes
 * (--jobs), or one shard of them (--shard), always reported in the order
 * of the run.
 *
 * Workers are processes, not threads.  Each exploration already owns
 * everything it touches (its world, its explorer, the explorer's arenas
 * and stacks: libdmaown keeps no writable global state), so threads would
 * work too; processes cost nothing more at this grain (one fork per worker,
 * not per exploration), need no lock anywhere, and keep an exploration
 * that crashes from taking the others with it.
 *
 * The parent forks the workers after flushing its streams, so that no
 * buffered byte is written twice.  It talks to each over a socket pair:
 * it hands out chunks, runs of consecutive explorations (16 bytes: the
 * first and the count), two at a time, so that a worker never waits; the
 * worker runs each with its report and messages going to memory, and
 * sends back, per chunk, one frame per exploration: a header (number,
 * exit status, sizes) and the two texts.  The parent keeps the answers
 * that come early and prints each as soon as every one before it is
 * printed.  A worker that dies mid-exploration (a signal, a sanitizer
 * report) is reported in that exploration's place, and a new worker takes
 * the rest of its chunks.  Sockets, not pipes, so that a write to a dead
 * worker is an error (MSG_NOSIGNAL), never a SIGPIPE.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Statuses. */

int dmo__status_worse(int a, int b)
{
	/* The rank of 0, 1, 2, 3 in the order 2, 1, 3, 0. */
	static const int rank[] = { 0, 2, 3, 1 };

	return rank[a & 3] >= rank[b & 3] ? a : b;
}

unsigned int dmo__jobs_online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > DMO_CLI_MAX_JOBS ? DMO_CLI_MAX_JOBS : (unsigned int)n;
}

/* Shards. */

/* A count of decimal digits only, 0..@max; -EINVAL when not. */
static int parse_count(const char *s, size_t n, unsigned long max,
		       unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 12)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A variable of the environment, or NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * The shard a job runner's environment names, 1-based: Kubernetes counts
 * from 0, GNU parallel from 1, and a Slurm array from its first index, in
 * steps of its step.
 */
static int shard_from_env(unsigned long n, unsigned int *shard, char *why,
			  size_t len)
{
	static const char *const vars[] = {
		"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "PARALLEL_SEQ",
	};
	const char *var = NULL, *val = NULL;
	unsigned long v, min = 0, step = 1, i;

	for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
		if (!env(vars[k]))
			continue;
		if (var) {
			snprintf(why, len,
				 "option '--shard %lu': both %s and %s are "
				 "set; give --shard I/%lu", n, var, vars[k],
				 n);
			return -EINVAL;
		}
		var = vars[k];
		val = env(var);
	}
	if (!var) {
		snprintf(why, len,
			 "option '--shard %lu' takes the shard from "
			 "JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or "
			 "PARALLEL_SEQ, and none is set; give --shard I/%lu",
			 n, n);
		return -EINVAL;
	}
	if (parse_count(val, strlen(val), ULONG_MAX / 2, &v)) {
		snprintf(why, len, "option '--shard %lu': %s is '%s', not a "
			 "number", n, var, val);
		return -EINVAL;
	}
	if (strcmp(var, "SLURM_ARRAY_TASK_ID") == 0) {
		const char *m = env("SLURM_ARRAY_TASK_MIN");
		const char *st = env("SLURM_ARRAY_TASK_STEP");

		if ((m && parse_count(m, strlen(m), v, &min)) ||
		    (st && (parse_count(st, strlen(st), ULONG_MAX / 2,
					&step) || step == 0)) ||
		    (v - min) % step) {
			snprintf(why, len,
				 "option '--shard %lu': SLURM_ARRAY_TASK_ID=%s "
				 "is no index of an array from "
				 "SLURM_ARRAY_TASK_MIN=%s in steps of "
				 "SLURM_ARRAY_TASK_STEP=%s", n, val,
				 m ? m : "0", st ? st : "1");
			return -EINVAL;
		}
		i = (v - min) / step + 1;
	} else if (strcmp(var, "PARALLEL_SEQ") == 0) {
		i = v;
	} else {
		i = v + 1;
	}
	if (i < 1 || i > n) {
		snprintf(why, len, "option '--shard %lu': %s=%s makes shard "
			 "%lu, not one of 1 to %lu", n, var, val, i, n);
		return -EINVAL;
	}
	*shard = (unsigned int)i;
	return 0;
}

int dmo__jobs_shard_parse(const char *s, unsigned int *shard,
			  unsigned int *shards, char *why, size_t len)
{
	const char *slash = strchr(s, '/');
	unsigned long i, n;

	if (!slash) {
		if (parse_count(s, strlen(s), DMO_CLI_MAX_SHARDS, &n) ||
		    n == 0)
			goto bad;
		*shards = (unsigned int)n;
		return shard_from_env(n, shard, why, len);
	}
	if (parse_count(s, (size_t)(slash - s), DMO_CLI_MAX_SHARDS, &i) ||
	    parse_count(slash + 1, strlen(slash + 1), DMO_CLI_MAX_SHARDS,
			&n) ||
	    i < 1 || i > n)
		goto bad;
	*shard = (unsigned int)i;
	*shards = (unsigned int)n;
	return 0;
bad:
	snprintf(why, len, "option '--shard' needs I/N with 1 <= I <= N <= %d, "
		 "or N alone, not '%s'", DMO_CLI_MAX_SHARDS, s);
	return -EINVAL;
}

/* The identity of a run: FNV-1a, 64 bits, over every field and a 0. */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static uint64_t fnv_field(uint64_t h, const char *s)
{
	return fnv(h, s, strlen(s) + 1);
}

/* The name and the bytes of a file; never opens what is no regular file. */
static uint64_t fnv_file(uint64_t h, const char *path)
{
	char buf[8192];
	struct stat st;
	size_t n;
	FILE *f;

	h = fnv_field(h, path);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return fnv_field(h, "(no regular file)");
	f = fopen(path, "rb");
	if (!f)
		return fnv_field(h, "(unreadable)");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = fnv(h, buf, n);
	fclose(f);
	return fnv(h, "", 1);
}

/* Whether argument @a is option @name, alone ("--jobs") or "--jobs=V". */
static int is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return 0;
	return a[n] == '\0' ? 2 : a[n] == '=' ? 1 : 0;
}

void dmo__jobs_run_id(char out[17], int argc, char **argv,
		      char *const *files, size_t nr_files, unsigned int shards,
		      size_t total)
{
	uint64_t h = fnv_field(FNV_OFFSET, "dmaown " DMAOWN_VERSION);
	char num[64];

	for (int i = 0; i < argc; i++) {
		int o = is_opt(argv[i], "--jobs");

		if (!o)
			o = is_opt(argv[i], "--shard");
		if (o) {
			i += o == 2;	/* and the value that follows */
			continue;
		}
		h = fnv_field(h, argv[i]);
	}
	snprintf(num, sizeof(num), "shards=%u total=%zu", shards, total);
	h = fnv_field(h, num);
	for (size_t i = 0; i < nr_files; i++)
		h = fnv_file(h, files[i]);
	snprintf(out, 17, "%016" PRIx64, h);
}

/* JSON. */

void dmo__json_chars(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
}

/* What one exploration printed, and the status it gave. */
struct result {
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int status;
	bool done;
};

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/*
 * The JSON line of exploration @k of a shard: its report, with what merge
 * needs appended (dmaown(1), PARALLEL RUNS), or, when it made no report (a file
 * that does not parse), an object of those members alone.
 */
static void print_record(const struct dmo__jobs *j, size_t k,
			 const struct result *r)
{
	size_t n = r->out_len;
	bool report = n >= 3 && r->out[0] == '{' && r->out[n - 1] == '\n' &&
		      r->out[n - 2] == '}' && !memchr(r->out, '\n', n - 1);
	int status = r->status;

	if (n && !report) {
		/* Never: the library prints one line per report. */
		fprintf(stderr, "dmaown: error: exploration %zu: its report "
			"is not one JSON line\n", k);
		status = EXIT_USAGE;
	}
	if (report)
		fwrite(r->out, 1, n - 2, stdout);
	else
		fputc('{', stdout);
	fprintf(stdout, "%s\"run\":\"%s\",\"shard\":\"%u/%u\",\"index\":%zu,"
		"\"total\":%zu,\"status\":%d", report ? "," : "", j->run_id,
		j->shard, j->shards, k, j->nr, status);
	if (r->err_len) {
		fputs(",\"stderr\":\"", stdout);
		dmo__json_chars(stdout, r->err, r->err_len);
		fputc('"', stdout);
	}
	fputs("}\n", stdout);
}

/* Prints what exploration @k printed, in its place in the run. */
static void emit(const struct dmo__jobs *j, size_t k, const struct result *r)
{
	if (j->shard)
		print_record(j, k, r);
	else if (r->out_len)
		fwrite(r->out, 1, r->out_len, stdout);
	if (r->err_len) {
		/* Standard error is unbuffered: what came before goes first. */
		fflush(stdout);
		fwrite(r->err, 1, r->err_len, stderr);
	}
}

/* Runs exploration @k here, its texts to memory.  -ENOMEM. */
static int run_captured(const struct dmo__jobs *j, size_t k, bool worker,
			struct result *r)
{
	FILE *out, *err;

	memset(r, 0, sizeof(*r));
	out = open_memstream(&r->out, &r->out_len);
	if (!out)
		return -ENOMEM;
	err = open_memstream(&r->err, &r->err_len);
	if (!err) {
		fclose(out);
		free(r->out);
		return -ENOMEM;
	}
	r->status = j->run(j->arg, k, out, err, worker);
	if (fclose(out) | fclose(err)) {
		result_free(r);
		return -ENOMEM;
	}
	r->done = true;
	return 0;
}

/* The explorations this process runs: all of them, or one shard's. */
static size_t todo_nr(const struct dmo__jobs *j)
{
	if (!j->shard)
		return j->nr;
	return j->nr / j->shards + (j->shard - 1 < j->nr % j->shards);
}

static size_t todo_at(const struct dmo__jobs *j, size_t i)
{
	return j->shard ? i * j->shards + (j->shard - 1) : i;
}

static int run_here(const struct dmo__jobs *j, size_t nr)
{
	int worst = EXIT_PASS;

	for (size_t i = 0; i < nr; i++) {
		size_t k = todo_at(j, i);
		struct result r;

		if (!j->shard) {
			/* As dmaown always ran: straight to the streams. */
			int st = j->run(j->arg, k, stdout, stderr, false);

			worst = dmo__status_worse(worst, st);
			continue;
		}
		if (run_captured(j, k, false, &r)) {
			fputs("dmaown: error: out of memory\n", stderr);
			return EXIT_USAGE;
		}
		emit(j, k, &r);
		worst = dmo__status_worse(worst, r.status);
		result_free(&r);
	}
	return worst;
}

/* Worker processes. */

/* What a worker sends back for one exploration, before the two texts. */
struct frame {
	uint64_t k;
	int64_t status;
	uint64_t out_len;
	uint64_t err_len;
};

/* Positions [first, first + count) of the todo list, handed out at once. */
struct chunk {
	uint64_t first;
	uint64_t count;
};

struct worker {
	pid_t pid;		/* 0: none */
	int fd;			/* the parent's end; -1: closed */
	struct chunk q[2];	/* handed out, not yet answered, in order */
	int nq;
	char *buf;		/* what it sent of its next answer so far */
	size_t len;
	size_t cap;
};

static int send_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EPIPE;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * A worker's life: a chunk in, one frame per exploration of it out, all
 * in one write when the chunk is done, until EOF.  It then returns, and
 * the worker leaves through the return of main() like any process, its
 * memory freed on the way: no _exit() after an exploration, whose
 * coroutine switches leave ASan's idea of the current stack unreliable
 * for the no-return check.
 */
static int worker_main(const struct dmo__jobs *j, int fd)
{
	for (;;) {
		char *batch = NULL;
		size_t got = 0, len = 0;
		struct chunk c;
		FILE *out;
		int err;

		while (got < sizeof(c)) {
			ssize_t n = read(fd, (char *)&c + got, sizeof(c) - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return EXIT_PASS;
			got += (size_t)n;
		}
		out = open_memstream(&batch, &len);
		if (!out)
			return EXIT_USAGE;
		for (uint64_t pos = c.first; pos < c.first + c.count; pos++) {
			struct frame f = { .k = todo_at(j, (size_t)pos) };
			struct result r;

			if (run_captured(j, (size_t)f.k, true, &r)) {
				fclose(out);
				free(batch);
				return EXIT_USAGE;
			}
			f.status = r.status;
			f.out_len = r.out_len;
			f.err_len = r.err_len;
			fwrite(&f, sizeof(f), 1, out);
			fwrite(r.out, 1, r.out_len, out);
			fwrite(r.err, 1, r.err_len, out);
			result_free(&r);
		}
		if (fclose(out)) {
			free(batch);
			return EXIT_USAGE;
		}
		err = send_all(fd, batch, len);
		free(batch);
		if (err)
			return EXIT_PASS;	/* the parent is gone */
	}
}

struct pool {
	const struct dmo__jobs *j;
	struct worker *w;
	unsigned int nr_w;
	struct result *res;	/* one per todo entry */
	size_t nr;		/* todo entries */
	size_t next;		/* the next to hand out */
	size_t emitted;		/* printed so far, in order */
	size_t finished;
	int worst;
	unsigned int spawned;	/* workers forked at the start */
	/* In a worker, forked from here: its exit status. */
	bool child;
	int child_status;
	/* The progress line: its width on the screen, 0 when none. */
	int shown;
	double t0;
	double last;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_erase(struct pool *p)
{
	if (p->shown > 0)
		fprintf(stderr, "\r%*s\r", p->shown, "");
	p->shown = 0;
}

static void progress_show(struct pool *p)
{
	double t = now();
	size_t running = 0;

	if (!p->j->progress || t - p->last < 0.5)
		return;
	for (unsigned int i = 0; i < p->nr_w; i++)
		running += p->w[i].nq > 0;
	p->last = t;
	progress_erase(p);
	p->shown = fprintf(stderr, "\rdmaown: %zu of %zu explorations done, "
			   "%zu running, %.1fs", p->finished, p->nr, running,
			   t - p->t0) - 1;
}

static void send_chunk(struct worker *w, struct chunk c)
{
	/* A worker that died shows as EOF on its socket, and is seen there. */
	send_all(w->fd, &c, sizeof(c));
}

/*
 * Keeps worker @w busy: two chunks handed out at a time, so that when it
 * is done with one (and sends its answers) the next is already waiting.
 * Chunks shrink as the run nears its end (a quarter of what is left per
 * worker, 1 to 8), so that the workers finish together; they are ranges
 * of the run, so that a worker's explorations of one file follow each
 * other and it parses the file once.  With nothing left to hand out and
 * nothing owed, the worker is let go.
 */
static void hand_out(struct pool *p, struct worker *w)
{
	while (w->nq < 2 && p->next < p->nr) {
		size_t c = (p->nr - p->next) / (4 * (size_t)p->nr_w);
		struct chunk ch;

		c = c < 1 ? 1 : c > 8 ? 8 : c;
		ch.first = p->next;
		ch.count = c;
		p->next += c;
		w->q[w->nq++] = ch;
		send_chunk(w, ch);
	}
	if (w->nq == 0 && w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
}

/*
 * Forks worker @w; -errno, with nothing left open, when it cannot.  In the
 * worker, once it is done: 1, and everyone up the chain returns.
 */
static int spawn(struct pool *p, struct worker *w)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		for (unsigned int i = 0; i < p->nr_w; i++) {
			if (p->w[i].fd >= 0)
				close(p->w[i].fd);
			p->w[i].fd = -1;
		}
		p->child = true;
		p->child_status = worker_main(p->j, sv[1]);
		close(sv[1]);
		return 1;
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	w->len = 0;
	return 0;
}

/* Prints every answer that is next in order. */
static void emit_ready(struct pool *p)
{
	while (p->emitted < p->nr && p->res[p->emitted].done) {
		struct result *r = &p->res[p->emitted];

		progress_erase(p);
		emit(p->j, todo_at(p->j, p->emitted), r);
		p->worst = dmo__status_worse(p->worst, r->status);
		result_free(r);
		p->emitted++;
	}
	fflush(stdout);
}

/* The first exploration @w owes is answered: it is off its queue. */
static size_t pop(struct worker *w)
{
	size_t pos = (size_t)w->q[0].first;

	w->q[0].first++;
	if (--w->q[0].count == 0) {
		w->q[0] = w->q[1];
		w->nq--;
	}
	return pos;
}

/* Records the message of the exploration whose worker died running it. */
static void died(struct pool *p, size_t pos, int ws)
{
	struct result *r = &p->res[pos];
	char name[PATH_MAX + 64], how[96];
	FILE *err;

	memset(r, 0, sizeof(*r));
	if (WIFSIGNALED(ws))
		snprintf(how, sizeof(how), "was killed by signal %d (%s)",
			 WTERMSIG(ws), strsignal(WTERMSIG(ws)));
	else if (WIFEXITED(ws))
		snprintf(how, sizeof(how), "ended its worker with exit "
			 "status %d", WEXITSTATUS(ws));
	else
		snprintf(how, sizeof(how), "ended its worker");
	p->j->name(p->j->arg, todo_at(p->j, pos), name, sizeof(name));
	err = open_memstream(&r->err, &r->err_len);
	if (err) {
		fprintf(err, "dmaown: error: %s: the exploration %s\n", name,
			how);
		fclose(err);
	}
	r->status = EXIT_USAGE;
	r->done = true;
	p->finished++;
}

/*
 * Worker @w is gone.  What it was running is reported in its place;
 * what it was handed after that goes to a new worker in its slot.
 */
static int bury(struct pool *p, struct worker *w)
{
	int ws = 0, err;

	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, &ws, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	if (w->nq == 0)
		return 0;
	died(p, pop(w), ws);
	if (w->nq == 0 && p->next == p->nr)
		return 0;
	err = spawn(p, w);
	if (err)
		return err;
	for (int i = 0; i < w->nq; i++)
		send_chunk(w, w->q[i]);
	hand_out(p, w);
	return 0;
}

/* Reads what worker @w sent, and takes each answer that is complete. */
static int drain(struct pool *p, struct worker *w)
{
	ssize_t n;

	if (w->cap - w->len < 65536) {
		size_t cap = w->cap * 2 + 65536;
		char *nb = realloc(w->buf, cap);

		if (!nb)
			return -ENOMEM;
		w->buf = nb;
		w->cap = cap;
	}
	n = read(w->fd, w->buf + w->len, w->cap - w->len);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return bury(p, w);
	w->len += (size_t)n;
	for (;;) {
		struct result *r;
		struct frame f;
		size_t size, pos;

		if (w->len < sizeof(f))
			return 0;
		memcpy(&f, w->buf, sizeof(f));
		size = sizeof(f) + f.out_len + f.err_len;
		if (w->len < size)
			return 0;
		if (w->nq == 0 || f.k != todo_at(p->j, (size_t)w->q[0].first))
			return -EPROTO;
		pos = pop(w);
		r = &p->res[pos];
		r->out = malloc(f.out_len + 1);
		r->err = malloc(f.err_len + 1);
		if (!r->out || !r->err) {
			result_free(r);
			return -ENOMEM;
		}
		memcpy(r->out, w->buf + sizeof(f), f.out_len);
		memcpy(r->err, w->buf + sizeof(f) + f.out_len, f.err_len);
		r->out_len = f.out_len;
		r->err_len = f.err_len;
		r->status = (int)f.status;
		r->done = true;
		p->finished++;
		memmove(w->buf, w->buf + size, w->len - size);
		w->len -= size;
		hand_out(p, w);
		if (w->fd < 0)
			return 0;
	}
}

static int run_pool(struct pool *p)
{
	struct pollfd *pfd;
	struct worker **who;
	int err = 0;

	pfd = calloc(p->nr_w, sizeof(*pfd));
	who = calloc(p->nr_w, sizeof(*who));
	if (!pfd || !who) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < p->nr_w; i++) {
		err = spawn(p, &p->w[i]);
		if (err > 0 || (err < 0 && i == 0))
			goto out;
		if (err < 0) {
			/* No more processes to be had: fewer workers. */
			p->nr_w = i;
			err = 0;
			break;
		}
		p->spawned++;
		hand_out(p, &p->w[i]);
	}
	while (p->emitted < p->nr) {
		nfds_t n = 0;
		int ready;

		for (unsigned int i = 0; i < p->nr_w; i++) {
			if (p->w[i].fd < 0)
				continue;
			pfd[n].fd = p->w[i].fd;
			pfd[n].events = POLLIN;
			who[n++] = &p->w[i];
		}
		if (n == 0) {
			/* Every worker is gone with answers still owed. */
			err = -EPROTO;
			goto out;
		}
		ready = poll(pfd, n, p->j->progress ? 500 : -1);
		if (ready < 0 && errno != EINTR) {
			err = -errno;
			goto out;
		}
		for (nfds_t i = 0; ready > 0 && i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			err = drain(p, who[i]);
			if (err)
				goto out;
		}
		emit_ready(p);
		progress_show(p);
	}
out:
	if (!p->child)
		progress_erase(p);
	for (unsigned int i = 0; i < p->nr_w; i++) {
		struct worker *w = &p->w[i];

		if (w->fd >= 0)
			close(w->fd);
		/* A worker's siblings are none of its business. */
		if (w->pid > 0 && !p->child) {
			if (err)
				kill(w->pid, SIGKILL);
			while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		free(w->buf);
	}
	free(pfd);
	free(who);
	return err;
}

int dmo__jobs_run(const struct dmo__jobs *j)
{
	size_t nr = todo_nr(j);
	struct pool p = { .j = j, .nr = nr, .worst = EXIT_PASS };
	int err;

	if (j->jobs <= 1 || nr <= 1)
		return run_here(j, nr);
	p.nr_w = j->jobs < nr ? j->jobs : (unsigned int)nr;
	p.w = calloc(p.nr_w, sizeof(*p.w));
	p.res = calloc(nr, sizeof(*p.res));
	if (!p.w || !p.res) {
		free(p.w);
		free(p.res);
		fputs("dmaown: error: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	for (unsigned int i = 0; i < p.nr_w; i++)
		p.w[i].fd = -1;
	p.t0 = p.last = now();
	err = run_pool(&p);
	for (size_t i = 0; i < nr; i++)
		result_free(&p.res[i]);
	free(p.res);
	free(p.w);
	if (p.child)
		return p.child_status;
	if (err && !p.spawned)
		return run_here(j, nr);	/* no worker at all: here, then */
	if (err) {
		fflush(stdout);
		fprintf(stderr, "dmaown: error: the worker processes of "
			"--jobs %u: %s\n", j->jobs, strerror(-err));
		return EXIT_USAGE;
	}
	return p.worst;
}
