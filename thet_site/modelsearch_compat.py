"""The site's search backend: Wagtail's database backend (modelsearch), with relevance
ranking on SQLite that stays fast at thousands of pages.

This is the one module that reaches into modelsearch's private names (the SQLite
compiler's ``_build_rank_expression``, the results' ``_do_count``): there is no public
way to change how the SQLite backend ranks. ``tests/test_compat.py`` fails, naming the
modelsearch version, if an upgrade drops them; ``tests/test_search_scale.py`` checks
the results against the stock backend's.

``WAGTAILSEARCH_BACKENDS`` names this module. On PostgreSQL (and MySQL) it is exactly
Wagtail's database backend (on PostgreSQL a GIN index on the searched text serves the
match, ``pages/migrations/0007_search_text_index.py``). On SQLite, the backend's ranking
annotates every candidate page with a correlated subquery that runs the full-text match
again for each one: work that grows with the square of the matches (4.8 s for one
statement at 5,000 pages). Here the match runs once: one query reads the score of every
matching page the visitor may see (the same ``bm25`` expression the backend orders by),
the requested slice is sorted in Python and fetched by id. The order (score, then newest
id) and the counts are the backend's.
"""

from typing import Any

from django.db.models import Case, CharField, FloatField, IntegerField, Value, When
from django.db.models.functions import Cast
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.query import MatchAll, Not
from modelsearch.utils import get_descendants_content_types_pks


def SearchBackend(params: dict[str, Any]) -> Any:  # noqa: N802 - the name Wagtail's settings look up
    backend = DatabaseSearchBackend(params)
    if type(backend).__name__ == "SQLiteSearchBackend":
        return _sqlite_backend_class()(params)
    return backend


def _sqlite_backend_class() -> type:
    # Imported here, only on SQLite: modelsearch's SQLite module looks up its FTS5 index
    # model at import, a model that exists only when the database is SQLite (on
    # PostgreSQL the import raises LookupError). The backend, as modelsearch's own
    # ``SearchBackend``, picks its module by the database in use.
    from modelsearch.backends.database.sqlite.query import (  # noqa: PLC0415
        MatchExpression,
        normalize,
    )
    from modelsearch.backends.database.sqlite.sqlite import (  # noqa: PLC0415
        SQLiteFTSIndexEntry,
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
        SQLiteSearchResults,
    )

    # modelsearch has no types: its classes are Any to the type checker.
    class RankOnceQueryCompiler(SQLiteSearchQueryCompiler):  # type: ignore[misc]
        def _plain(self) -> Any:
            """The normalised query, or None when the backend's own path applies."""
            query = normalize(self.query)
            if isinstance(query, MatchAll | Not) or not self.order_by_relevance:
                return None
            return query

        def _index_query(self, query: Any, config: str | None) -> Any:
            """Every matching index entry with its score, as the backend builds it."""
            match = MatchExpression(
                self.fields or self.FTS_TABLE_FIELDS,
                self.build_search_query(query, config=config),
            )
            rank = self._build_rank_expression(self.get_search_vectors(), config)
            return (
                SQLiteFTSIndexEntry.objects.filter(match)
                .filter(
                    index_entry__content_type__in=get_descendants_content_types_pks(
                        self.queryset.model
                    )
                )
                .annotate(score=rank)
            )

        def matching(self, query: Any, config: str | None) -> Any:
            ids = self._index_query(query, config).values_list("index_entry__object_id", flat=True)
            return self.queryset.filter(pk__in=ids)

        def search(
            self, config: str | None, start: int, stop: int | None, score_field: str | None = None
        ) -> Any:
            query = self._plain()
            if query is None:
                return super().search(config, start, stop, score_field=score_field)
            # One query: each visible matching page's score (the page ids are an
            # uncorrelated subquery, run once).
            visible = self.queryset.order_by().annotate(_id=Cast("pk", CharField()))
            scores: dict[int, float] = {}
            for object_id, score in (
                self._index_query(query, config)
                .filter(index_entry__object_id__in=visible.values("_id"))
                .values_list("index_entry__object_id", "score")
            ):
                scores.setdefault(int(object_id), score)
            ranked = sorted(scores, key=lambda pk: (scores[pk], -pk))
            chosen = ranked[start:stop]
            queryset = self.queryset.filter(pk__in=chosen).order_by(
                Case(
                    *[When(pk=pk, then=Value(n)) for n, pk in enumerate(chosen)],
                    output_field=IntegerField(),
                )
            )
            if score_field is not None:
                queryset = queryset.annotate(
                    **{
                        score_field: Case(
                            *[When(pk=pk, then=Value(scores[pk])) for pk in chosen],
                            output_field=FloatField(),
                        )
                    }
                )
            return queryset

    class RankOnceSearchResults(SQLiteSearchResults):  # type: ignore[misc]
        def _do_count(self) -> Any:
            compiler = self.query_compiler
            if not isinstance(compiler, RankOnceQueryCompiler):  # e.g. autocomplete
                return super()._do_count()
            query = compiler._plain()
            if query is None:
                return super()._do_count()
            total = compiler.matching(query, compiler.get_config(self.backend)).count()
            stop = total if self.stop is None else min(total, self.stop)
            return max(0, stop - self.start)

    class RankOnceSQLiteSearchBackend(SQLiteSearchBackend):  # type: ignore[misc]
        query_compiler_class = RankOnceQueryCompiler
        results_class = RankOnceSearchResults

    return RankOnceSQLiteSearchBackend
