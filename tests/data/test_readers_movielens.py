"""MovieLens reader: CSV releases with or without header rows, ml-1m style .dat files, and ml-latest-small."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from recreason.data import readers
from recreason.data.ingest import ingest
from recreason.data.readers import movielens
from recreason.data.readers.movielens import clean_title
from recreason.data.schema import load_json

HERE = Path(__file__).resolve().parent
TINY, DAT = HERE / "movielens_tiny", HERE / "movielens_1m_tiny"


@pytest.fixture(scope="module")
def report():
    return ingest(TINY, fmt="movielens")


def test_detect(tmp_path):
    assert readers.detect(TINY) == "movielens"
    assert readers.detect(DAT) == "movielens"
    assert readers.detect(TINY / "ratings.csv") == "movielens"
    (tmp_path / "ratings.csv").write_text("a,b\nx,y\n")
    assert not movielens.detect(tmp_path)


def test_counts_and_balance(report, balanced):
    balanced(report)
    assert report.counts["items"] == {"read": 5, "accepted": 5, "rejected": 0}
    assert report.counts["interactions"] == {"read": 9, "accepted": 4, "rejected": 5}


def test_bad_rows(report, reject_at):
    rating = reject_at(report, "ratings.csv", 4)
    assert rating.field == "rating" and "7 not in [0.5, 5]" in rating.reason
    assert "expected 4 fields" in reject_at(report, "ratings.csv", 5).reason
    assert "unknown item_id '999'" in reject_at(report, "ratings.csv", 6).reason
    assert reject_at(report, "ratings.csv", 7).field == "timestamp"
    assert "found 2" in reject_at(report, "tags.csv", 4).reason


def test_movies(report):
    items = report.dataset.items.set_index("item_id")
    toy = items.loc["1"]
    assert toy.title == "Toy Story" and toy.category == ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]
    assert load_json(toy.attributes) == {"year": "1995", "genres": toy.category, "imdb_id": "tt0114709",
                                         "tmdb_id": "862"}
    assert items.loc["2"].title == "The American President"
    assert "tmdb_id" not in load_json(items.loc["2"].attributes)  # empty in links.csv
    assert items.loc["3"].title == "The City of Lost Children (Cité des enfants perdus, La)"
    babylon = items.loc["4"]
    assert babylon.title == "Babylon 5" and babylon.category == [] and pd.isna(babylon.attributes)
    assert load_json(items.loc["5"].attributes)["year"] == "1975-1979"
    assert any("1 links.csv rows name a movie not in the movies file" in n for n in report.notes)


def test_ratings_and_tags(report):
    inter = report.dataset.interactions
    rates, tags = inter[inter.event == "rate"], inter[inter.event == "review"]
    assert rates.rating.tolist() == [4.0, 3.5]
    assert str(rates.timestamp.iloc[0]) == "2000-07-30 18:45:03+00:00"
    assert tags.review.tolist() == ["funny", "Highly quotable, really"] and tags.rating.isna().all()
    assert {load_json(c)["source"] for c in tags.context} == {"tag"}


def test_headerless_copy_reads_the_same(tmp_path, report):
    for f in TINY.iterdir():
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        (tmp_path / f.name).write_text("".join(lines[1:]), encoding="utf-8")
    other = ingest(tmp_path)
    assert other.counts == report.counts
    assert other.dataset.items.title.tolist() == report.dataset.items.title.tolist()
    # lines shift by one without the header
    assert sorted(r.line for r in other.rejects) == sorted(r.line - 1 for r in report.rejects)


def test_dat_files(balanced, reject_at):
    report = ingest(DAT)
    balanced(report)
    assert report.counts["users"] == {"read": 2, "accepted": 2, "rejected": 0}
    assert report.counts["interactions"] == {"read": 5, "accepted": 3, "rejected": 2}
    users = report.dataset.users.set_index("user_id")
    assert load_json(users.loc["1"].demographics) == {"gender": "F", "age": "Under 18", "occupation": "K-12 student"}
    assert "48067" not in report.dataset.users.to_string()
    assert any("ignored field zip" in n for n in report.notes)
    assert report.dataset.items.set_index("item_id").loc["3"].title == "Café au lait"  # Latin-1 file
    assert "'::'-separated" in reject_at(report, "ratings.dat", 4).reason
    assert "unknown user_id '9'" in reject_at(report, "ratings.dat", 5).reason


@pytest.mark.parametrize("raw, title, year", [
    ("Toy Story (1995)", "Toy Story", "1995"), ("Shawshank Redemption, The (1994)", "The Shawshank Redemption", "1994"),
    ("Babylon 5", "Babylon 5", None), ("Misérables, Les (1995)", "Misérables, Les", "1995"),
    ("Hyena Road (2015) ", "Hyena Road", "2015"), ("(500) Days of Summer (2009)", "(500) Days of Summer", "2009"),
])
def test_clean_title(raw, title, year):
    assert clean_title(raw) == (title, year)


def test_ratings_file_alone(tmp_path):
    shutil.copy(TINY / "ratings.csv", tmp_path)
    report = ingest(tmp_path / "ratings.csv")
    assert report.formats == ["movielens"]
    assert report.counts["interactions"] == {"read": 6, "accepted": 3, "rejected": 3}  # no items: 999 is kept


@pytest.mark.shared
def test_latest_small(shared_data, balanced):
    folder = shared_data / "movielens-latest-small"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    assert readers.detect(folder) == "movielens"
    start = time.perf_counter()
    report = ingest(folder)
    assert time.perf_counter() - start < 10
    balanced(report)
    # SOURCE.md: 100,836 ratings + 3,683 tags; 9,742 movies; 610 users; 9,724 rated movies
    assert report.counts["interactions"] == {"read": 104_519, "accepted": 104_519, "rejected": 0}
    assert report.counts["items"] == {"read": 9742, "accepted": 9742, "rejected": 0}
    inter = report.dataset.interactions
    rates, tags = inter[inter.event == "rate"], inter[inter.event == "review"]
    assert len(rates) == 100_836 and len(tags) == 3_683
    assert rates.user_id.nunique() == 610 and rates.item_id.nunique() == 9724
    assert (tags.user_id.nunique(), tags.item_id.nunique(), tags.review.nunique()) == (58, 1572, 1589)
    assert rates.rating.min() == 0.5 and rates.rating.max() == 5.0
