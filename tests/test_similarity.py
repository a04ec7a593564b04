"""SimilarityIndex: the DESIGN.md contract (add, query, remove, len, nbytes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from botwarden.similarity import SimilarityIndex

T0 = datetime(2026, 3, 21, tzinfo=UTC)


RESCUE = "Lifeboat crew rescues two kayakers off Gull Point"
REWORDED = "BREAKING: Two kayakers rescued by lifeboat crew near Gull Point"


def build() -> SimilarityIndex:
    index = SimilarityIndex()
    index.add("1", RESCUE, account="a", at=T0)
    index.add("2", RESCUE + " after capsize", account="b", at=T0 + timedelta(days=2))
    index.add("3", "Council publishes draft budget for next year", account="a", at=T0)
    return index


def test_query_ranks_best_first_with_scores_in_0_1() -> None:
    matches = build().query(REWORDED, threshold=0.3)
    assert [m.key for m in matches] == ["1", "2"]
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert matches[0].score > matches[1].score > 0.4
    assert build().query("Council publishes its draft budget", threshold=0.0)[0].key == "3"


def test_account_and_since_narrow_the_search() -> None:
    index = build()
    assert [m.key for m in index.query(RESCUE, account="b")] == ["2"]
    assert [m.key for m in index.query(RESCUE, since=T0 + timedelta(days=1))] == ["2"]


def test_a_fleet_asked_for_again_sees_accounts_that_posted_since() -> None:
    index = build()
    fleet = ("a", "c")  # "c" has not posted yet: the index does not know it
    assert [m.key for m in index.query(RESCUE, accounts=fleet)] == ["1"]
    index.add("4", RESCUE, account="c", at=T0)
    assert [m.key for m in index.query(RESCUE, accounts=fleet)] == ["1", "4"]
    assert [m.key for m in index.query(RESCUE, accounts=["a", "c"])] == ["1", "4"]


def test_remove_len_and_nbytes() -> None:
    index = build()
    before = index.nbytes
    assert len(index) == 3 and before > 0
    index.remove("1")
    index.remove("missing")
    assert len(index) == 2
    assert "1" not in [m.key for m in index.query(RESCUE)]
    assert index.nbytes < before


def test_re_adding_a_key_replaces_it() -> None:
    index = build()
    index.add("3", RESCUE, account="a", at=T0)
    assert len(index) == 3
    assert index.query("draft budget for next year", threshold=0.5) == []


def test_index_survives_a_save_and_load(tmp_path: Path) -> None:
    at = datetime(2026, 3, 21, 9, tzinfo=UTC)
    index = SimilarityIndex()
    index.add("a", RESCUE + " after capsize", account="news", at=at)
    index.add("b", "Council approves the new harbour parking charges for summer", account="other", at=at)
    index.add("gone", RESCUE, account="news", at=at)
    index.remove("gone")
    index.save(tmp_path / "index.npz")
    loaded = SimilarityIndex.load(tmp_path / "index.npz")
    assert len(loaded) == 2 and "gone" not in loaded
    query = "BREAKING: Lifeboat crew rescues two kayakers off Gull Point after their capsize"
    assert [m.key for m in loaded.query(query, threshold=0.7)] == ["a"]
    assert loaded.query(query, account="other", threshold=0.7) == []
    assert loaded.query(query, since=at.replace(hour=10), threshold=0.7) == []
    assert [m.key for m in loaded.scan(query, ["a", "b"], threshold=0.7)] == ["a"]
    assert [m.score for m in loaded.query(query)] == [m.score for m in index.query(query)]


def test_index_finds_near_copies_among_many_posts() -> None:
    """Enough posts to merge the recent-posts buffer into the sorted arrays several times."""
    import random

    from botwarden.similarity import index as index_module

    rng = random.Random(4)
    vocabulary = sorted({"".join(rng.choices("bcdfghklmnprstvz", k=7)) for _ in range(5000)})
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


def test_index_scores_are_the_measure_of_profile_py() -> None:
    """The compiled scoring works on the profiles ``profile.resemblance`` compares, Unicode included."""
    from botwarden.similarity.profile import similarity

    texts = [
        "Café au lait\u2003served at the harbour\u3000market this morning",
        "Cafe au lait served at the harbour market this morning #coffee",
        "ＢＲＥＡＫＩＮＧ: Storm warning\u00a0for the coast — ferries cancelled",
        "Storm warning for the coast: ferries cancelled https://example.com/x",
        "the of and",
        "Straße gesperrt nach Unfall auf der Brücke",
        "Ferries cancelled along the coast as storm warning issued",
    ]
    index = SimilarityIndex()
    for n, text in enumerate(texts):
        index.add(str(n), text, account="a", at=T0)
    for query in texts:
        scores = {m.key: m.score for m in index.scan(query, [str(n) for n in range(len(texts))], limit=10)}
        expected = {str(n): round(similarity(query, text), 4) for n, text in enumerate(texts)}
        assert scores == expected, query


def test_index_and_measure_agree_on_random_posts() -> None:
    """Random posts of names, common words, numbers, phrases and accents: the index scores every pair as
    the measure does, to the last digit it reports."""
    import random

    from botwarden.similarity.profile import similarity

    rng = random.Random(11)
    words = "storm coast ferry crew rescues Gull Point Jerí Orbán the of and in 12 3.5 Part II 10:40 -5"
    words += " twelve talks nuclear Iran Geneva guiding principles #news #weather café straße über"
    posts = [" ".join(rng.choices(words.split(), k=rng.randint(2, 14))) for _ in range(300)]
    index = SimilarityIndex()
    for n, text in enumerate(posts):
        index.add(str(n), text, account="a", at=T0)
    keys = [str(n) for n in range(len(posts))]
    for query in posts[:60]:
        scores = {m.key: m.score for m in index.scan(query, keys, limit=len(keys))}
        assert scores == {k: round(similarity(query, posts[int(k)]), 4) for k in keys}, query


def test_memory_history_answers_the_same_before_and_after_its_index_is_built() -> None:
    from botwarden.rules import MemoryHistory, PastPost
    from botwarden.similarity import text_hash

    places = ("Gull Point", "Kings Bay", "the harbour wall", "Saltmarsh beach", "the north pier")
    posts = [
        PastPost(str(n), f"acct{n % 3}", T0 + timedelta(minutes=n), text, text_hash(text))
        for n, text in enumerate(
            f"Lifeboat crew rescues kayakers off {places[n % 5]} after capsize, coastguard says"
            if n % 2
            else f"Council approves {places[n % 5]} parking charges for the summer season"
            for n in range(60)
        )
    ]
    small, scanned, searched = MemoryHistory(), MemoryHistory(), MemoryHistory()
    scanned.INDEX_FROM = searched.INDEX_FROM = 10
    searched.EXACT_WINDOW = 0  # every window through the index's search, none scored exactly
    for post in posts:
        for history in (small, scanned, searched):
            history.add(post)
    assert small._index is None and scanned._index is not None and searched._index is not None
    query = "Kayakers rescued off Gull Point by the lifeboat crew after capsize"
    for accounts in (["acct0"], ["acct0", "acct1", "acct2"]):
        window = (T0, T0 + timedelta(minutes=45))
        expected = [(s, p.id) for s, p in small.similar(query, accounts, *window, 0.5)]
        assert expected and [(s, p.id) for s, p in scanned.similar(query, accounts, *window, 0.5)] == expected
        assert [(s, p.id) for s, p in searched.similar(query, accounts, *window, 0.5)] == expected


def test_query_keys_finds_what_query_finds() -> None:
    index = build()
    index.add("4", RESCUE + " again", account="c", at=T0)
    text = REWORDED
    for accounts in (None, ("a", "b"), ("c",), ("nobody",)):
        expected = sorted((m.key, m.score) for m in index.query(text, accounts=accounts, threshold=0.3))
        found = index.query_keys(text, accounts=accounts, threshold=0.3)
        assert sorted((key, round(score, 4)) for key, score in found) == expected
        assert accounts == ("nobody",) or expected


def test_loading_an_index_of_another_format_is_refused(tmp_path: Path) -> None:
    import numpy as np
    import pytest

    np.savez(tmp_path / "old.npz", bucket_keys=np.empty(0, dtype=np.uint32))
    with pytest.raises(ValueError, match="format 1, this version reads 3"):
        SimilarityIndex.load(tmp_path / "old.npz")


def test_features_weights_and_bucket_keys_stay_what_saved_indexes_hold() -> None:
    # A saved index (and every worker sharing it) holds these values: a change to the hashing, the
    # stemming or the word weights must come with a new index FORMAT, never silently.
    from botwarden.similarity import kernels
    from botwarden.similarity.profile import profile

    found = profile(
        "Storm warning for the harbour: ferries cancelled until Sunday https://x.example/a #weather"
    )
    assert found.feats.tolist() == [
        700100868, 1240934665, 1444332914, 1533582490, 1898107913, 2401904002, 2730101878, 3428762048,
        3706595219, 4052537412, 4077118559, 4180221169,
    ]  # fmt: skip
    assert found.units.tolist() == [77, 44, 89, 97, 37, 44, 122, 67, 33, 75, 38, 48]
    assert found.words.tolist() == [2730101878, 1533582490, 1444332914, 700100868, 4052537412, 3428762048]
    assert kernels.pair_keys(found.words).tolist() == [
        2466550713, 153375411, 2615107261, 2839715441, 1507491957, 648309311, 3110041161, 3922913953,
        2590690471, 3925744975, 1609738653, 277515169, 4071470501, 2739247019, 1885963151,
    ]  # fmt: skip
    assert (found.sequence, found.normal_hash) == (14700661200827427131, 5554565589482821346)
