"""SimilarityIndex: the DESIGN.md contract (add, query, remove, len, nbytes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def test_a_fleet_asked_for_again_sees_accounts_that_posted_since() -> None:
    index = build()
    fleet = ("a", "c")  # "c" has not posted yet: the index does not know it
    text = "Lifeboat crew rescues two kayakers off Gull Point"
    assert [m.key for m in index.query(text, accounts=fleet)] == ["1"]
    index.add("4", text, account="c", at=T0)
    assert [m.key for m in index.query(text, accounts=fleet)] == ["1", "4"]
    assert [m.key for m in index.query(text, accounts=["a", "c"])] == ["1", "4"]


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


def test_index_survives_a_save_and_load(tmp_path: Path) -> None:
    at = datetime(2026, 3, 21, 9, tzinfo=UTC)
    index = SimilarityIndex()
    index.add("a", "Lifeboat crew rescues two kayakers off Gull Point after capsize", account="news", at=at)
    index.add("b", "Council approves the new harbour parking charges for summer", account="other", at=at)
    index.add("gone", "Lifeboat crew rescues two kayakers off Gull Point", account="news", at=at)
    index.remove("gone")
    index.save(tmp_path / "index.npz")
    loaded = SimilarityIndex.load(tmp_path / "index.npz")
    assert len(loaded) == 2 and "gone" not in loaded
    query = "BREAKING: Lifeboat crew rescues three kayakers off Gull Point after capsize"
    assert [m.key for m in loaded.query(query, threshold=0.7)] == ["a"]
    assert loaded.query(query, account="other", threshold=0.7) == []
    assert loaded.query(query, since=at.replace(hour=10), threshold=0.7) == []
    assert [m.key for m in loaded.scan(query, ["a", "b"], threshold=0.7)] == ["a"]


def test_index_finds_near_copies_among_many_posts() -> None:
    """Enough posts to merge the recent-posts buffer into the sorted arrays several times."""
    import random

    from botwarden.similarity import index as index_module

    rng = random.Random(4)
    vocabulary = [f"word{i}" for i in range(5000)]
    posts = [" ".join(rng.sample(vocabulary, 18)) for _ in range(3000)]
    at = datetime(2026, 3, 21, tzinfo=UTC)
    index = SimilarityIndex()
    original = index_module._MIN_MERGE
    index_module._MIN_MERGE = 500
    try:
        for n, text in enumerate(posts):
            index.add(str(n), text, account="a", at=at)
    finally:
        index_module._MIN_MERGE = original
    assert len(index._main_keys) > 0, "the recent table was never merged"
    found = 0
    for n in range(0, 3000, 30):
        words = posts[n].split()
        words[5] = "changed"
        matches = index.query(" ".join(words), threshold=0.7)
        found += bool(matches) and matches[0].key == str(n)
    assert found == 100
    assert index.query(" ".join(rng.sample(vocabulary, 18)), threshold=0.7) == []


def test_scores_are_the_exact_jaccard_of_the_word_sets() -> None:
    """The compiled word hashing splits and folds text as ``words`` does, Unicode spaces included."""
    from botwarden.similarity import jaccard, words

    texts = [
        "Café au lait\u2003served at the harbour\u3000market this morning",
        "Cafe au lait served at the harbour market this morning #coffee",
        "ＢＲＥＡＫＩＮＧ: Storm warning\u00a0for the coast — ferries cancelled",
        "Storm warning for the coast: ferries cancelled https://example.com/x",
        "the of and",
        "Straße gesperrt nach Unfall auf der Brücke",
    ]
    index = SimilarityIndex()
    for n, text in enumerate(texts):
        index.add(str(n), text, account="a", at=T0)
    for query in texts:
        scores = {m.key: m.score for m in index.scan(query, [str(n) for n in range(len(texts))], limit=10)}
        expected = {str(n): round(jaccard(words(query), words(text)), 4) for n, text in enumerate(texts)}
        assert scores == expected, query


def test_memory_history_answers_the_same_before_and_after_its_index_is_built() -> None:
    from botwarden.rules import MemoryHistory, PastPost
    from botwarden.similarity import text_hash

    posts = [
        PastPost(str(n), f"acct{n % 3}", T0 + timedelta(minutes=n), text, text_hash(text))
        for n, text in enumerate(
            f"Lifeboat crew rescues {n % 7} kayakers off Gull Point near harbour {n % 5}" for n in range(60)
        )
    ]
    small, scanned, searched = MemoryHistory(), MemoryHistory(), MemoryHistory()
    scanned.INDEX_FROM = searched.INDEX_FROM = 10
    searched.EXACT_WINDOW = 0  # every window through the index's search, none scored exactly
    for post in posts:
        for history in (small, scanned, searched):
            history.add(post)
    assert small._index is None and scanned._index is not None and searched._index is not None
    query = "Lifeboat crew rescues 3 kayakers off Gull Point near harbour 2"
    for accounts in (["acct0"], ["acct0", "acct1", "acct2"]):
        window = (T0, T0 + timedelta(minutes=45))
        expected = [(s, p.id) for s, p in small.similar(query, accounts, *window, 0.5)]
        assert expected and [(s, p.id) for s, p in scanned.similar(query, accounts, *window, 0.5)] == expected
        assert [(s, p.id) for s, p in searched.similar(query, accounts, *window, 0.5)] == expected


def test_query_keys_finds_what_query_finds() -> None:
    index = build()
    index.add("4", "Lifeboat crew rescues two kayakers off Gull Point again", account="c", at=T0)
    text = "Lifeboat crew rescues three kayakers off Gull Point"
    for accounts in (None, ("a", "b"), ("c",), ("nobody",)):
        expected = sorted((m.key, m.score) for m in index.query(text, accounts=accounts, threshold=0.3))
        found = index.query_keys(text, accounts=accounts, threshold=0.3)
        assert sorted((key, round(score, 4)) for key, score in found) == expected
        assert accounts == ("nobody",) or expected


def test_loading_an_index_of_another_format_is_refused(tmp_path: Path) -> None:
    import numpy as np
    import pytest

    np.savez(tmp_path / "old.npz", bucket_keys=np.empty(0, dtype=np.uint32))
    with pytest.raises(ValueError, match="format 1, this version reads 2"):
        SimilarityIndex.load(tmp_path / "old.npz")


def test_word_hashes_and_bucket_keys_stay_what_saved_indexes_hold() -> None:
    # A saved index (and every worker sharing it) holds these values: a change to the hashing must
    # come with a new index FORMAT, never silently.
    from botwarden.similarity import index, kernels

    text = index._encoded(
        "Storm warning for the harbour: ferries cancelled until Sunday https://x.example/a #weather"
    )
    words = kernels.word_set(text, index._STOP_HASHES)
    assert words.tolist() == [626395188, 929739996, 3323203557, 3696896811, 3770361352, 3842516001]
    assert kernels.band_keys(words, kernels.MULTIPLIERS, kernels.OFFSETS, kernels.FOLD).tolist() == [
        3989929603, 665556745, 777881168, 1389101658, 1775869523, 511567968, 1115195147, 453382259,
        3486700108, 1342701773, 1268831049, 3702171305, 3819383903, 719718662, 959147660, 4025980219,
    ]  # fmt: skip
