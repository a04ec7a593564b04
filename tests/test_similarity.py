"""SimilarityIndex: the DESIGN.md contract (add, query, remove, len, nbytes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from botwarden.similarity import SimilarityIndex

T0 = datetime(2026, 3, 21, tzinfo=UTC)


def build() -> SimilarityIndex:
    index = SimilarityIndex()
    index.add("1", "Lifeboat crew rescues two kayakers off Gull Point", account="a", at=T0)
    index.add(
        "2", "Lifeboat crew rescues two kayakers off Gull Point", account="b", at=T0 + timedelta(days=2)
    )
    index.add("3", "Council publishes draft budget for next year", account="a", at=T0)
    return index


def test_query_ranks_best_first_with_scores_in_0_1() -> None:
    matches = build().query("BREAKING: Lifeboat crew rescues three kayakers off Gull Point")
    assert [m.key for m in matches][:2] == ["1", "2"]
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert matches[0].score > 0.7
    assert "3" not in [m.key for m in matches if m.score > 0.1]


def test_account_and_since_narrow_the_search() -> None:
    index = build()
    text = "Lifeboat crew rescues two kayakers off Gull Point"
    assert [m.key for m in index.query(text, account="b")] == ["2"]
    assert [m.key for m in index.query(text, since=T0 + timedelta(days=1))] == ["2"]


def test_remove_len_and_nbytes() -> None:
    index = build()
    before = index.nbytes
    assert len(index) == 3 and before > 0
    index.remove("1")
    index.remove("missing")
    assert len(index) == 2
    assert "1" not in [m.key for m in index.query("Lifeboat crew rescues two kayakers off Gull Point")]
    assert index.nbytes < before


def test_re_adding_a_key_replaces_it() -> None:
    index = build()
    index.add("3", "Lifeboat crew rescues two kayakers off Gull Point", account="a", at=T0)
    assert len(index) == 3
    assert index.query("draft budget for next year", threshold=0.5) == []
