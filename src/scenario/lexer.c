// SPDX-License-Identifier: MIT
/*
 * The lexer of .own files: one line at a time, since every declaration,
 * statement and condition fits on one line (dmaown-scenario(5)).
 *
 * Names take the broad character set of SCENARIO.md, so that device names
 * such as 0000:01:00.0, numbers, error names such as -EPROBE_DEFER and
 * T:REG atoms are all one NAME token; the parser decides what each one
 * means from where it stands.  That keeps the lexer free of context and
 * every error in it a matter of a single byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scenario/scenario.h"

static bool is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	       c == '-';
}

static void push(struct dmo_tok *toks, int *nr, enum dmo_tok_kind kind,
		 const char *s, int len, int col)
{
	toks[*nr].kind = kind;
	toks[*nr].s = s;
	toks[*nr].len = len;
	toks[*nr].col = col;
	(*nr)++;
}

int dmo__sc_lex_line(const char *line, int len, struct dmo_tok *toks, int *nr,
		     int *col, char *msg, size_t msglen)
{
	int i = 0;

	*nr = 0;
	while (i < len) {
		unsigned char c = (unsigned char)line[i];
		unsigned char d = i + 1 < len ? (unsigned char)line[i + 1] : 0;
		int start = i;

		/* \r too, so that files saved with CRLF endings parse. */
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (is_name_char(c)) {
			while (i < len && is_name_char((unsigned char)line[i]))
				i++;
			push(toks, nr, DMO_TOK_NAME, line + start, i - start,
			     start + 1);
			continue;
		}
		if (c == '"') {
			const char *end = memchr(line + i + 1, '"',
						 (size_t)(len - i - 1));

			if (!end) {
				*col = start + 1;
				snprintf(msg, msglen, "unterminated string");
				return -EINVAL;
			}
			i = (int)(end - line) + 1;
			push(toks, nr, DMO_TOK_STRING, line + start + 1,
			     i - start - 2, start + 1);
			continue;
		}
		if (c == '=' && d == '=') {
			push(toks, nr, DMO_TOK_EQ, line + i, 2, start + 1);
			i += 2;
			continue;
		}
		if (c == '!' && d == '=') {
			push(toks, nr, DMO_TOK_NE, line + i, 2, start + 1);
			i += 2;
			continue;
		}
		if (c == '/' && d == '\\') {
			push(toks, nr, DMO_TOK_AND, line + i, 2, start + 1);
			i += 2;
			continue;
		}
		if (c == '\\' && d == '/') {
			push(toks, nr, DMO_TOK_OR, line + i, 2, start + 1);
			i += 2;
			continue;
		}
		switch (c) {
		case '{':
			push(toks, nr, DMO_TOK_LBRACE, line + i, 1, start + 1);
			break;
		case '}':
			push(toks, nr, DMO_TOK_RBRACE, line + i, 1, start + 1);
			break;
		case '(':
			push(toks, nr, DMO_TOK_LPAREN, line + i, 1, start + 1);
			break;
		case ')':
			push(toks, nr, DMO_TOK_RPAREN, line + i, 1, start + 1);
			break;
		case '=':
			push(toks, nr, DMO_TOK_ASSIGN, line + i, 1, start + 1);
			break;
		case '~':
			push(toks, nr, DMO_TOK_NOT, line + i, 1, start + 1);
			break;
		case ',':
			push(toks, nr, DMO_TOK_COMMA, line + i, 1, start + 1);
			break;
		case '@':
			push(toks, nr, DMO_TOK_AT, line + i, 1, start + 1);
			break;
		default:
			*col = start + 1;
			if (c >= 0x21 && c < 0x7f)
				snprintf(msg, msglen,
					 "unexpected character '%c'", c);
			else
				snprintf(msg, msglen,
					 "unexpected byte 0x%02x", c);
			return -EINVAL;
		}
		i++;
	}
	push(toks, nr, DMO_TOK_END, line + i, 0, i + 1);
	return 0;
}
