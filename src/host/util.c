// SPDX-License-Identifier: MIT
/*
 * Small helpers of the host commands: string lists and buffers, messages,
 * JSON strings, and reading a sysfs tree without ever leaving it.
 *
 * Why the tree is walked by hand.  A saved tree comes from someone else's
 * machine (a bug report), so a link in it may point anywhere: to /etc, to
 * itself, up through ".." past the root.  The kernel's own path walk
 * would follow such links out of the tree; dmo__path_resolve() instead
 * expands every link itself, one component at a time, and refuses one
 * that is absolute or climbs above the root, and a chain of more than 40.
 * Attributes are then opened with O_NOFOLLOW | O_NONBLOCK below a
 * directory known to hold no link, after lstat said they are regular
 * files: a FIFO where a file should be is reported, never opened.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/host.h"

#define MAX_LINKS 40

int dmo__strv_add(struct dmo__strv *l, const char *s)
{
	char *copy;

	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	copy = dmo__strdup(s);
	if (!copy)
		return -ENOMEM;
	l->v[l->nr++] = copy;
	return 0;
}

int dmo__strv_addf(struct dmo__strv *l, const char *fmt, ...)
{
	struct dmo__buf b = { 0 };
	va_list ap;
	int ret;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	b.s = malloc((size_t)n + 1);
	if (!b.s)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b.s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ret = dmo__strv_add(l, b.s);
	free(b.s);
	return ret;
}

bool dmo__strv_has(const struct dmo__strv *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void dmo__strv_free(struct dmo__strv *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->cap = 0;
}

static bool buf_grow(struct dmo__buf *b, size_t more)
{
	size_t cap;
	char *ns;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1)
		cap *= 2;
	ns = realloc(b->s, cap);
	if (!ns) {
		b->oom = true;
		return false;
	}
	b->s = ns;
	b->cap = cap;
	return true;
}

void dmo__buf_add(struct dmo__buf *b, const char *s)
{
	size_t n = strlen(s);

	if (!buf_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void dmo__buf_addf(struct dmo__buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The text, owned by the caller from now on; NULL when memory ran out. */
char *dmo__buf_take(struct dmo__buf *b)
{
	char *s;

	if (b->oom) {
		free(b->s);
		s = NULL;
	} else {
		s = b->s ? b->s : dmo__strdup("");
	}
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = false;
	return s;
}

char *dmo__strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *dmo__asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void dmo__errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void dmo__json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

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
	fputc('"', out);
}

/* Drops the last component of the relative path @p (in place). */
static int pop_component(char *p)
{
	char *slash;

	if (!*p)
		return -EXDEV;
	slash = strrchr(p, '/');
	if (slash)
		*slash = '\0';
	else
		*p = '\0';
	return 0;
}

int dmo__path_resolve(const char *root, const char *rel, char **out)
{
	struct dmo__buf queue = { 0 };
	char *cur = dmo__strdup("");
	char *rest = NULL;
	int links = 0;
	int ret = 0;

	dmo__buf_add(&queue, rel);
	rest = dmo__buf_take(&queue);
	if (!cur || !rest) {
		ret = -ENOMEM;
		goto out;
	}
	while (*rest) {
		char *p = rest, *slash, *comp, *cand;
		char full[PATH_MAX], target[PATH_MAX];
		struct stat st;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		p = slash ? slash + 1 : p + strlen(p);
		if (strcmp(comp, ".") == 0) {
			memmove(rest, p, strlen(p) + 1);
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			ret = pop_component(cur);
			if (ret)
				goto out;
			memmove(rest, p, strlen(p) + 1);
			continue;
		}
		cand = *cur ? dmo__asprintf("%s/%s", cur, comp) :
			      dmo__strdup(comp);
		if (!cand) {
			ret = -ENOMEM;
			goto out;
		}
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, cand) >=
		    sizeof(full)) {
			free(cand);
			ret = -ENAMETOOLONG;
			goto out;
		}
		if (lstat(full, &st)) {
			free(cand);
			ret = -errno;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			free(cand);
			if (++links > MAX_LINKS) {
				ret = -ELOOP;
				goto out;
			}
			n = readlink(full, target, sizeof(target) - 1);
			if (n < 0) {
				ret = -errno;
				goto out;
			}
			target[n] = '\0';
			if (target[0] == '/') {
				ret = -EXDEV;
				goto out;
			}
			dmo__buf_addf(&queue, "%s/%s", target, p);
			free(rest);
			rest = dmo__buf_take(&queue);
			if (!rest) {
				ret = -ENOMEM;
				goto out;
			}
			continue;
		}
		if (*p && !S_ISDIR(st.st_mode)) {
			free(cand);
			ret = -ENOTDIR;
			goto out;
		}
		free(cur);
		cur = cand;
		memmove(rest, p, strlen(p) + 1);
	}
out:
	free(rest);
	if (ret) {
		free(cur);
		return ret;
	}
	*out = cur;
	return 0;
}

/* Where the link @rel (read as @target) points, relative to the root. */
static int link_join(const char *rel, char *target, char **out)
{
	struct dmo__buf b = { 0 };
	char *path, *p, *comp, *save = NULL;

	if (target[0] == '/')
		return -EXDEV;
	/* The link's directory, then its target, with ".." applied. */
	p = strrchr(rel, '/');
	if (p)
		dmo__buf_addf(&b, "%.*s/%s", (int)(p - rel), rel, target);
	else
		dmo__buf_add(&b, target);
	path = dmo__buf_take(&b);
	if (!path)
		return -ENOMEM;
	for (comp = strtok_r(path, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (!b.s || pop_component(b.s)) {
				free(path);
				free(b.s);
				return -EXDEV;
			}
			b.len = strlen(b.s);
			continue;
		}
		if (b.len)
			dmo__buf_add(&b, "/");
		dmo__buf_add(&b, comp);
	}
	free(path);
	*out = dmo__buf_take(&b);
	return *out ? 0 : -ENOMEM;
}

int dmo__link_rel(const char *root, const char *rel, char **out)
{
	char full[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, rel) >=
	    sizeof(full))
		return -ENAMETOOLONG;
	n = readlink(full, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return link_join(rel, target, out);
}

int dmo__link_rel_at(int dirfd, const char *rel, char **out)
{
	const char *name = strrchr(rel, '/');
	char target[PATH_MAX];
	ssize_t n;

	n = readlinkat(dirfd, name ? name + 1 : rel, target,
		       sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	return link_join(rel, target, out);
}

int dmo__read_attr(int dirfd, const char *name, char *out, size_t len)
{
	struct stat st;
	size_t got = 0;
	int fd;

	out[0] = '\0';
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while (got + 1 < len) {
		ssize_t n = read(fd, out + got, len - 1 - got);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			out[0] = '\0';
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	out[got] = '\0';
	while (got && (out[got - 1] == '\n' || out[got - 1] == '\r'))
		out[--got] = '\0';
	return (int)got;
}

const char *dmo__attr_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "missing";
	case -EISDIR:
		return "a directory, not a file";
	case -EINVAL:
		return "not a regular file (a FIFO or a device?)";
	case -ELOOP:
		return "a link, not a file";
	case -EACCES:
		return "unreadable (permission denied)";
	default:
		return strerror(-err);
	}
}

/* Sorts by name, past each entry's type letter. */
static int cmp_ent(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* getdents64(2)'s record; glibc declares none. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int dmo__dir_entries(int fd, struct dmo__strv *out)
{
	char buf[32768] __attribute__((aligned(8)));
	int ret = 0;

	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n && !ret;) {
			struct linux_dirent64 *de = (void *)(buf + off);
			char type;

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			switch (de->d_type) {
			case DT_DIR:
				type = 'd';
				break;
			case DT_LNK:
				type = 'l';
				break;
			case DT_REG:
				type = 'f';
				break;
			case DT_UNKNOWN:
				type = '?';
				break;
			default:
				type = 'o';
				break;
			}
			ret = dmo__strv_addf(out, "%c%s", type, de->d_name);
		}
		if (ret)
			break;
	}
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_ent);
	return ret;
}

char dmo__dir_type(const struct dmo__strv *ents, const char *name)
{
	size_t lo = 0, hi = ents->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ents->v[mid] + 1, name);

		if (c == 0)
			return ents->v[mid][0];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int dmo__list_dir(int dirfd, const char *name, struct dmo__strv *out)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	int fd, ret;

	/* Below a directory of the tree no link is followed. */
	if (dirfd != AT_FDCWD)
		flags |= O_NOFOLLOW;
	fd = openat(dirfd, name, flags);
	if (fd < 0)
		return -errno;
	ret = dmo__dir_entries(fd, out);
	close(fd);
	for (size_t i = 0; i < out->nr; i++)
		memmove(out->v[i], out->v[i] + 1, strlen(out->v[i]));
	return ret;
}

int dmo__read_attr_in(int dirfd, const struct dmo__strv *ents,
		      const char *name, char *out, size_t len)
{
	char type = dmo__dir_type(ents, name);
	size_t got = 0;
	int fd;

	out[0] = '\0';
	if (!type)
		return -ENOENT;
	if (type != 'f')
		return dmo__read_attr(dirfd, name, out, len);
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A regular file reads short only at its end. */
	while (got + 1 < len) {
		ssize_t n = read(fd, out + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			out[0] = '\0';
			return -e;
		}
		got += (size_t)n;
		if (n == 0 || got + 1 < len)
			break;
	}
	close(fd);
	out[got] = '\0';
	while (got && (out[got - 1] == '\n' || out[got - 1] == '\r'))
		out[--got] = '\0';
	return (int)got;
}

int dmo__open_beneath(int rootfd, const char *root, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	char full[PATH_MAX];
	long fd;

	if (rootfd >= 0) {
		fd = syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how,
			     sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd >= 0 ? (int)fd : -errno;
	}
	/* No openat2: the walk by hand, which must find no link. */
	{
		char *phys = NULL;
		int ret = dmo__path_resolve(root, rel, &phys);

		if (ret)
			return ret;
		ret = strcmp(phys, rel) ? -ELOOP : 0;
		free(phys);
		if (ret)
			return ret;
	}
	snprintf(full, sizeof(full), "%s/%s", root, rel);
	fd = open(full,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd >= 0 ? (int)fd : -errno;
}

bool dmo__is_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 255 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == ':' || c == '-' || c == '+'))
			return false;
	}
	return true;
}
