import pytest
from linkwork_matching.domain.text import TextIndex, stem, tokens

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("walking", "walk"),
        ("walks", "walk"),
        ("walkers", "walk"),
        ("gardening", "garden"),
        ("gardens", "garden"),
        ("running", "run"),
        ("activities", "activity"),
        ("class", "class"),
        ("dance", "danc"),
        ("dancing", "danc"),
        ("bus", "bus"),
    ],
)
def test_inflections_share_a_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_tokens_drop_stopwords_and_punctuation() -> None:
    assert tokens("Join our Singing group, for the over-60s!") == ["sing", "over", "60s"]


def test_bm25_prefers_the_document_about_the_query() -> None:
    index = TextIndex()
    index.add(0, "Community garden: growing vegetables together")
    index.add(1, "Choir for beginners, singing popular songs")
    index.add(2, "Knit and natter")
    scores = index.scores(tokens("gardening"))
    assert scores is not None
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0


def test_unknown_terms_give_no_scores() -> None:
    index = TextIndex()
    index.add(0, "Choir")
    assert index.scores(tokens("astronomy")) is None


def test_removing_a_document_restores_the_statistics_of_never_having_added_it() -> None:
    kept = TextIndex()
    kept.add(0, "walking in the hills")
    kept.add(1, "walking by the canal")
    churned = TextIndex()
    churned.add(0, "walking in the hills")
    churned.add(1, "walking walking walking in town")
    churned.remove("walking walking walking in town")
    churned.add(2, "walking by the canal")
    fresh, after = kept.scores(["walk", "canal"]), churned.scores(["walk", "canal"])
    assert fresh is not None and after is not None
    assert after[0] == pytest.approx(fresh[0]) and after[2] == pytest.approx(fresh[1])


def test_documents_must_be_numbered_in_order() -> None:
    index = TextIndex()
    with pytest.raises(ValueError, match="in order"):
        index.add(3, "choir")
