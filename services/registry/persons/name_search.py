"""A name search as one SQL statement: find, score and rank in the database.

The statement (see :func:`statement`) works on any PostgreSQL, no contrib
extension:

1. ``spelling``: the registry's spellings of each query token within about
   one edit, from ``name_vocabulary`` (the symmetric deletion keys computed
   here), each with its edit distance. Two tokens that share a deletion key
   are at most two edits apart, and the distance follows from their lengths
   and, for equal lengths, the number of differing letters (one: a
   substitution; more: a moved letter, two edits), so no Levenshtein
   function is needed in SQL.
2. ``candidate``: at most ``cap`` people from ever looser passes (see
   :func:`_passes`), each pass only run while the cap is not reached (a
   LIMIT over a UNION ALL stops pulling) and excluding whom the earlier
   passes found. A pass ANDs one ``name_tokens && ARRAY[...]`` per query
   token on the GIN index: PostgreSQL intersects the posting lists (skipping
   through the long ones from the rarest) and reads only the matching rows;
   the last passes start from the query's rarest (longest) token alone.
3. ``near``: for people who carry no spelling of some query token, their
   own tokens that share a string with it after at most two deletions on
   each side count as two edits (what the vocabulary's one-edit keys miss).
4. Scoring, set-based over the candidates' tokens: how many query tokens
   found no match, the summed distance (a token only in the patronymic
   costs one more), then the tie-breakers for namesakes: closeness to a birth
   date or year given in the query, how many query words the person's names
   carry with exactly the spelling typed (same script, letter case aside),
   names in the order typed, then last name, first name and id (stable).
5. Only the page (``limit + 1`` rows, to know whether more follow) is read
   in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from services.registry.persons.names import deletion_keys, name_tokens

MAX_QUERY_TOKENS = 6
# A birth date typed in the query finds people born within this much of it
# first (a year: within the year); closer ones rank first.
DATE_SLACK = timedelta(days=366)

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class NameQuery:
    """What the statement needs from the typed query."""

    tokens: list[str]  # skeletons, at most MAX_QUERY_TOKENS, each cut to 24
    words: list[str]  # the words as typed (letters only), for exact-spelling ties
    born: tuple[date, date] | None  # a birth date or year typed with the names

    @classmethod
    def parse(cls, q: str) -> NameQuery:
        return cls(
            tokens=[t[:24] for t in name_tokens(q)[:MAX_QUERY_TOKENS]],
            words=_WORD.findall(q)[: MAX_QUERY_TOKENS * 2],
            born=birth_range(q),
        )

    def params(self) -> dict[str, Any]:
        key_i = [i for i, t in enumerate(self.tokens, 1) for _ in sorted(deletion_keys(t))]
        keys = [k for t in self.tokens for k in sorted(deletion_keys(t))]
        variants = [(i, v) for i, w in enumerate(self.words, 1) for v in _cases(w)]
        far = [(i, k) for i, t in enumerate(self.tokens, 1) for k in sorted(_two_deletions(t))]
        low, high = self.born or (None, None)
        return {
            "tokens": self.tokens,
            "key_i": key_i,
            "keys": keys,
            "word_i": [i for i, _ in variants],
            "words": [v for _, v in variants],
            "born_low": low,
            "born_high": high,
            "far_i": [i for i, _ in far],
            "far": [k for _, k in far],
            # Letter positions (and 0, "none") for the statement to walk a token:
            # a constant array, so the planner knows how many rows it gives.
            "positions": list(range(25)),
        }


def birth_range(q: str) -> tuple[date, date] | None:
    """The birth date (or year) typed in a name query: 1990-05-12, 12.05.1990 or 1990."""
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_DOTTED_DATE, (2, 1, 0))):
        if match := pattern.search(q):
            year, month, day = (int(match.group(g + 1)) for g in order)
            try:
                day_born = date(year, month, day)
            except ValueError:
                return None
            return day_born, day_born
    if match := _YEAR.search(q):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _two_deletions(token: str) -> set[str]:
    return {k for key in deletion_keys(token) for k in deletion_keys(key) | {key}}


def _cases(word: str) -> set[str]:
    # Compared with the stored names as they are (no lower() in SQL: its
    # result for Cyrillic depends on the server's locale).
    return {word, word.lower(), word.upper(), word.capitalize()}


@dataclass(frozen=True)
class Filters:
    pin: str | None = None
    phone: str | None = None  # already E.164
    region: str | None = None
    status: str | None = None

    def sql(self) -> str:
        given = [name for name in ("pin", "phone", "region", "status") if getattr(self, name)]
        return "".join(f" AND p.{name} = :{name}" for name in given)

    def params(self) -> dict[str, str]:
        given = ("pin", "phone", "region", "status")
        return {name: value for name in given if (value := getattr(self, name))}


_SPELLING = """
query_token AS (
    SELECT CAST(t.i AS int) AS i, t.token
    FROM unnest(CAST(:tokens AS text[])) WITH ORDINALITY AS t(token, i)
),
spelling AS MATERIALIZED (
    SELECT DISTINCT k.i, v.token,
        CASE
            WHEN v.token = q.token THEN 0
            WHEN length(v.token) <> length(q.token) THEN 1
            WHEN (SELECT count(*) FROM unnest(CAST(:positions AS int[])) AS g(n)
                  WHERE substr(v.token, g.n, 1) <> substr(q.token, g.n, 1)) = 1 THEN 1
            ELSE 2
        END AS d
    FROM unnest(CAST(:key_i AS int[]), CAST(:keys AS text[])) AS k(i, key)
    JOIN name_vocabulary AS v ON v.key = k.key
    JOIN query_token AS q ON q.i = k.i
),
reach AS MATERIALIZED (
    -- Per query token, the name_tokens elements that match it (own name or
    -- patronymic); NULL for a token with no spelling in the registry.
    SELECT q.i, CAST(r.tokens AS varchar[]) AS tokens
    FROM query_token AS q
    LEFT JOIN (
        SELECT i, array_agg(token) || array_agg('~' || token) AS tokens FROM spelling GROUP BY i
    ) AS r ON r.i = q.i
),
rare AS MATERIALIZED (
    -- The longest query token that has spellings: probably the rarest name.
    SELECT CAST(ARRAY[q.token] AS varchar[]) AS exact, r.tokens
    FROM reach AS r JOIN query_token AS q ON q.i = r.i
    WHERE r.tokens IS NOT NULL
    ORDER BY length(q.token) DESC, q.i
    LIMIT 1
)"""

_COLUMNS = "p.id, p.name_tokens, p.last_name, p.first_name, p.patronymic, p.last_name_latin, \
p.first_name_latin, p.birth_date"

_SCORING = r"""
near AS MATERIALIZED (
    -- For people who carry no spelling of some query token: their own tokens
    -- that share a string with it after at most two deletions on each side
    -- (two edits, out of the vocabulary's reach: "jek", a misspelt Жибек, and
    -- "jibek").
    SELECT DISTINCT f.i, t.tok AS token
    FROM (
        SELECT DISTINCT r.i, e.tok FROM candidate AS c
        JOIN reach AS r ON NOT coalesce(c.name_tokens && r.tokens, false)
        JOIN query_token AS q ON q.i = r.i
        CROSS JOIN LATERAL unnest(c.name_tokens) AS e(tok)
        WHERE left(e.tok, 1) <> '~' AND abs(length(e.tok) - length(q.token)) <= 2
    ) AS t
    JOIN unnest(CAST(:positions AS int[])) AS a(a) ON a.a <= length(t.tok)
    JOIN unnest(CAST(:positions AS int[])) AS b(b) ON b.b <= length(t.tok) AND b.b >= a.a
    JOIN unnest(CAST(:far_i AS int[]), CAST(:far AS text[])) AS f(i, s) ON f.i = t.i AND f.s = CASE
        WHEN b.b = 0 THEN t.tok
        WHEN a.a = 0 THEN substr(t.tok, 1, b.b - 1) || substr(t.tok, b.b + 1)
        ELSE substr(t.tok, 1, a.a - 1) || substr(t.tok, a.a + 1, b.b - a.a - 1)
            || substr(t.tok, b.b + 1)
    END
    WHERE a.a = 0 OR b.b > a.a
),
hit AS (
    -- Each candidate's best match for each query token: a spelling as an own
    -- name, one in the patronymic (one edit more), or a token two edits off.
    SELECT DISTINCT ON (c.id, m.i) c.id, m.i, m.d, e.pos
    FROM candidate AS c
    CROSS JOIN LATERAL unnest(c.name_tokens) WITH ORDINALITY AS e(tok, pos)
    JOIN (
        SELECT i, token, d FROM spelling
        UNION ALL SELECT i, '~' || token, d + 1 FROM spelling
        UNION ALL SELECT i, token, 2 FROM near
    ) AS m ON m.token = e.tok
    ORDER BY c.id, m.i, m.d, e.pos
),
score AS (
    SELECT c.id,
        :n - count(h.i) FILTER (WHERE h.d <= 2) AS unmatched,
        coalesce(sum(least(h.d, 3)), 0) + 3 * (:n - count(h.i)) AS distance,
        coalesce(array_agg(h.pos ORDER BY h.i) = array_agg(h.pos ORDER BY h.pos), false)
            AS in_order
    FROM candidate AS c LEFT JOIN hit AS h ON h.id = c.id
    GROUP BY c.id
),
typed AS (
    SELECT c.id, count(DISTINCT w.i) AS words
    FROM candidate AS c
    CROSS JOIN LATERAL unnest(regexp_split_to_array(
        concat_ws(' ', c.last_name, c.first_name, c.patronymic, c.last_name_latin,
                  c.first_name_latin),
        '[\s‐‑‒–—-]+')) AS n(word)
    JOIN unnest(CAST(:word_i AS int[]), CAST(:words AS text[])) AS w(i, v) ON w.v = n.word
    GROUP BY c.id
),
ranked AS (
    SELECT c.id,
        row_number() OVER (ORDER BY
            s.unmatched,
            s.distance,
            CASE WHEN CAST(:born_low AS date) IS NULL THEN 0 ELSE greatest(
                CAST(:born_low AS date) - c.birth_date, c.birth_date - CAST(:born_high AS date), 0
            ) END,
            coalesce(t.words, 0) DESC,
            s.in_order DESC,
            c.last_name, c.first_name, c.id
        ) AS rank
    FROM candidate AS c
    JOIN score AS s ON s.id = c.id
    LEFT JOIN typed AS t ON t.id = c.id
)
SELECT p.* FROM ranked AS r JOIN persons AS p ON p.id = r.id
WHERE r.rank > :offset AND r.rank <= :offset + :limit
ORDER BY r.rank"""


def _passes(query: NameQuery) -> list[str]:
    """Ever looser conditions on ``persons AS p``; each pass excludes the earlier ones.

    The names as typed (every query token exactly, as an own name), then a
    spelling within reach of every token; for several tokens then the rarest
    token as typed, then any spelling of it (someone with another name badly
    misspelt). A birth date in the query puts the first two, limited to
    people born near it, before all.
    """
    reach = "p.name_tokens && (SELECT tokens FROM reach WHERE i = {})"
    every = " AND ".join(reach.format(i) for i in range(1, len(query.tokens) + 1))
    exact = "p.name_tokens @> CAST(:tokens AS varchar[])"
    passes = [exact, every]
    if query.born:
        near = "p.birth_date BETWEEN CAST(:near_low AS date) AND CAST(:near_high AS date)"
        passes = [f"{exact} AND {near}", f"{every} AND {near}", *passes]
    if len(query.tokens) > 1:
        passes.append("p.name_tokens && (SELECT exact FROM rare)")
        passes.append("p.name_tokens && (SELECT tokens FROM rare)")
    return passes


@lru_cache(maxsize=256)
def _candidates(passes: tuple[str, ...], filters: str) -> str:
    selects = []
    for k, condition in enumerate(passes):
        # A condition on a missing spelling is NULL: it excludes nobody.
        earlier = "".join(f" AND NOT coalesce({c}, false)" for c in passes[:k])
        where = f"{condition}{earlier}{filters}"
        # Fixed fragments only (every value is a bound parameter).
        selects.append(f"(SELECT {_COLUMNS} FROM persons AS p WHERE {where})")  # noqa: S608
    union = "\n    UNION ALL\n    ".join(selects)
    return f"candidate AS MATERIALIZED (SELECT * FROM ({union}) AS u LIMIT :cap)"  # noqa: S608


def statement(
    query: NameQuery, filters: Filters, cap: int, offset: int, limit: int
) -> tuple[str, dict[str, Any]]:
    """The SQL text and its bound parameters.

    The text is made of fixed fragments, and the values that steer the plan
    (the query's skeletons and their deletion keys, which are only ever the
    letters a-z, and the numbers) are written into it as literals: psycopg
    prepares a statement it has seen five times, and PostgreSQL's generic
    plan for a prepared one, made without those values, ran 3-4x slower
    (100k people). The words as typed, dates and filters stay bound.
    """
    candidates = _candidates(tuple(_passes(query)), filters.sql())
    sql = f"WITH {_SPELLING},\n{candidates},{_SCORING}"
    values = query.params()
    inline = {
        **{name: values.pop(name) for name in _INLINED},
        "n": len(query.tokens),
        "cap": cap,
        "offset": offset,
        "limit": limit,
    }
    sql = _PLACEHOLDER.sub(lambda m: _literal(inline[m.group(1)]), sql)
    params = {**values, **filters.params()}
    if query.born:
        params["near_low"] = query.born[0] - DATE_SLACK
        params["near_high"] = query.born[1] + DATE_SLACK
    return sql, params


_INLINED = ("tokens", "key_i", "keys", "far_i", "far", "positions")
_PLACEHOLDER = re.compile(r":(tokens|key_i|keys|far_i|far|positions|n|cap|offset|limit)\b")
_SKELETON = re.compile(r"[a-z]*")


def _literal(value: int | list[int] | list[str]) -> str:
    if isinstance(value, int):
        return str(int(value))
    if all(isinstance(v, int) for v in value):
        return "ARRAY[" + ",".join(str(int(v)) for v in value) + "]::int[]"
    for v in value:
        # Skeletons and their keys are a-z only (names.skeleton): nothing to quote.
        if not isinstance(v, str) or not _SKELETON.fullmatch(v):
            raise ValueError("not a name skeleton")
    return "ARRAY[" + ",".join(f"'{v}'" for v in value) + "]::text[]"
