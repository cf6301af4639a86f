"""MovieLens (GroupLens): ratings, tags, movies, links; CSV releases and the ``::`` .dat ones (ml-1m, ml-10m).

CSV (ml-latest, ml-latest-small, ml-25m, ml-32m): ``ratings.csv`` userId,movieId,rating,timestamp;
``tags.csv`` userId,movieId,tag,timestamp; ``movies.csv`` movieId,title,genres; ``links.csv``
movieId,imdbId,tmdbId. The official files start with that header; copies without it are read the same
(a header is there when the first field is not a number). DAT (ml-1m, ml-10m): ``ratings.dat``,
``tags.dat``, ``movies.dat`` and ml-1m's ``users.dat`` (UserID::Gender::Age::Occupation::Zip-code),
``::``-separated, UTF-8 or else Latin-1 (ml-1m is Latin-1).

Mapping: movies -> items (title without its trailing "(1995)" and with a trailing English article put
back in front, "Shawshank Redemption, The" -> "The Shawshank Redemption"; attributes year and
genres; category = genres; "(no genres listed)" -> none; links add attributes imdb_id / tmdb_id).
Ratings -> interactions, event ``rate`` (0.5-5 stars). Tags -> interactions, event ``review`` with the
tag as review text and context ``source: tag`` (a tag is free text a user wrote about a film, one
interaction per tag, so they stay apart from ratings). ml-1m users -> users with demographics gender,
age band and occupation; the zip code is not ingested. Timestamps are unix seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from recreason.data.readers.base import (
    FILE,
    LINE,
    RawTable,
    ReadOptions,
    ReadResult,
    decode,
    read_bytes,
    read_csv_rows,
)
from recreason.data.rejects import InputError, Reject

RATING_RANGE = (0.5, 5.0)
COLUMNS = {
    "ratings": ["user_id", "item_id", "rating", "timestamp"],
    "tags": ["user_id", "item_id", "review", "timestamp"],
    "movies": ["item_id", "title", "genres"],
    "links": ["item_id", "imdb_id", "tmdb_id"],
    "users": ["user_id", "gender", "age", "occupation", "zip"],
}
TABLE = {"ratings": "interactions", "tags": "interactions", "movies": "items", "links": "items", "users": "users"}
NO_GENRES = "(no genres listed)"
_YEAR = re.compile(r"\s*\((\d{4}(?:\s*[-–]\s*\d{0,4})?)\)\s*$")
_ARTICLE = re.compile(r"^(?P<title>.+?), (?P<article>The|A|An)(?P<rest>\s*\(.*\))?$")
AGES = {"1": "Under 18", "18": "18-24", "25": "25-34", "35": "35-44", "45": "45-49", "50": "50-55", "56": "56+"}
OCCUPATIONS = dict(enumerate([
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
    "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer",
    "programmer", "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer",
    "tradesman/craftsman", "unemployed", "writer",
]))


def _files(folder: Path) -> dict[str, Path]:
    found = {}
    for kind in COLUMNS:
        for suffix in (".csv", ".dat"):
            if (folder / f"{kind}{suffix}").is_file():
                found[kind] = folder / f"{kind}{suffix}"
                break
    return found


def _looks_like(path: Path) -> bool:
    """The first line is a MovieLens header or a row with a numeric id and the right number of fields."""
    kind = path.name.split(".")[0]
    try:
        with open(path, "rb") as f:
            first = f.readline(10_000).decode("latin-1").strip().lstrip("\ufeff\xef\xbb\xbf")
    except OSError:
        return False
    fields = first.split("::") if path.suffix == ".dat" else first.split(",")
    if kind in ("ratings", "tags", "users"):
        return fields[0] == "userId" or (fields[0].isdigit() and len(fields) >= (5 if kind == "users" else 4))
    return fields[0] == "movieId" or (fields[0].isdigit() and len(fields) >= 3)


def detect(path: Path) -> bool:
    path = Path(path)
    if path.is_file():
        return path.name in {f"{k}{s}" for k in COLUMNS for s in (".csv", ".dat")} and _looks_like(path)
    if not path.is_dir():
        return False
    found = _files(path)
    main = [found[k] for k in ("ratings", "movies") if k in found]
    return bool(main) and all(_looks_like(p) for p in main)


def _read_dat(path: Path, kind: str, opts: ReadOptions) -> tuple[pd.DataFrame, list[Reject]]:
    data = read_bytes(path)
    text = decode(data, path, opts.encoding)[0] if opts.encoding else _utf8_or_latin1(data)
    names, rows, lines, rejects = COLUMNS[kind], [], [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("::")
        if len(fields) != len(names):
            rejects.append(Reject(str(path), n, TABLE[kind], None,
                                  f"expected {len(names)} '::'-separated fields, found {len(fields)}", line))
            continue
        rows.append(fields)
        lines.append(n)
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names, dtype=object)
    frame[FILE], frame[LINE] = str(path), lines
    return frame, rejects


def _utf8_or_latin1(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_csv(path: Path, kind: str, opts: ReadOptions) -> tuple[pd.DataFrame, list[Reject]]:
    names = COLUMNS[kind]
    with open(path, "rb") as f:
        first = f.readline(10_000).decode("utf-8", "replace").lstrip("\ufeff")
    has_header = not first.split(",")[0].strip().isdigit()
    frame, rejects = read_csv_rows(path, TABLE[kind], opts.encoding, header=None if has_header else names)
    if has_header:
        if len(frame.columns) - 2 != len(names):
            raise InputError(f"{path}:1: expected the columns of MovieLens {kind} ({len(names)}), "
                             f"found {', '.join(c for c in frame.columns if c not in (FILE, LINE))}")
        frame.columns = names + [FILE, LINE]
    return frame, rejects


def _read(path: Path, kind: str, opts: ReadOptions, result: ReadResult) -> pd.DataFrame:
    frame, rejects = (_read_dat if path.suffix == ".dat" else _read_csv)(path, kind, opts)
    result.rejects += rejects
    result.sources.append(path)
    return frame


def clean_title(raw: str) -> tuple[str, str | None]:
    """(title, year) from a MovieLens title such as "American President, The (1995)"."""
    title = raw.strip()
    match = _YEAR.search(title)
    year = re.sub(r"\s+", "", match.group(1)) if match else None
    title = title[: match.start()] if match and match.start() > 0 else title
    art = _ARTICLE.match(title)
    if art:
        title = f"{art['article']} {art['title']}{art['rest'] or ''}"
    return title, year


def _items(movies: pd.DataFrame, links: pd.DataFrame | None, result: ReadResult) -> pd.DataFrame:
    link_map = {}
    if links is not None:
        for mid, imdb, tmdb in zip(links["item_id"], links["imdb_id"], links["tmdb_id"]):
            link_map[mid.strip()] = {"imdb_id": f"tt{imdb.strip()}" if imdb.strip() else "",
                                     "tmdb_id": tmdb.strip()}
        orphans = len(link_map.keys() - set(movies["item_id"].str.strip()))
        if orphans:
            result.notes.append(f"{orphans} links.csv rows name a movie not in the movies file (ignored)")
    titles, categories, attributes = [], [], []
    for mid, raw, genres in zip(movies["item_id"], movies["title"], movies["genres"]):
        title, year = clean_title(raw)
        genre_list = [] if genres.strip() == NO_GENRES else [g.strip() for g in genres.split("|") if g.strip()]
        attrs = {k: v for k, v in link_map.get(mid.strip(), {}).items() if v}
        if year:
            attrs["year"] = year
        if genre_list:
            attrs["genres"] = genre_list
        titles.append(title)
        categories.append(genre_list)
        attributes.append(attrs)
    out = movies[["item_id", FILE, LINE]].copy()
    out["title"] = pd.Series(titles, index=movies.index, dtype=object)
    out["category"] = pd.Series(categories, index=movies.index, dtype=object)
    out["attributes"] = pd.Series(attributes, index=movies.index, dtype=object)
    out["language"] = "en"
    return out


def _users(users: pd.DataFrame, result: ReadResult) -> pd.DataFrame:
    demographics = []
    for gender, age, occupation in zip(users["gender"], users["age"], users["occupation"]):
        occ = occupation.strip()
        d = {"gender": gender.strip(), "age": AGES.get(age.strip(), age.strip()),
             "occupation": OCCUPATIONS.get(int(occ), occ) if occ.isdigit() else occ}
        demographics.append({k: v for k, v in d.items() if v})
    result.notes.append("ignored field zip (users' zip codes: personal data)")
    out = users[["user_id", FILE, LINE]].copy()
    out["demographics"] = pd.Series(demographics, index=users.index, dtype=object)
    return out


def read(path: Path, opts: ReadOptions) -> ReadResult:
    path = Path(path)
    found = _files(path) if path.is_dir() else ({path.name.split(".")[0]: path} if path.name.split(".")[0]
                                                  in COLUMNS else {})
    if not found:
        raise InputError(f"{path}: no MovieLens files (ratings, tags, movies, links, users .csv or .dat)")
    result = ReadResult(rating_range=RATING_RANGE)
    if path.is_dir():
        other = sorted(p.name for p in path.iterdir() if p.suffix in (".csv", ".dat") and p not in found.values())
        if other:
            result.notes.append(f"{path}: not read (not part of the mapping): {', '.join(other)}")
    frames = {kind: _read(p, kind, opts, result) for kind, p in found.items()}
    if "ratings" in frames:
        ratings = frames["ratings"].assign(event="rate")
        result.tables.append(RawTable("interactions", ratings, str(found["ratings"])))
    if "tags" in frames:
        tags = frames["tags"].assign(event="review", **{"context.source": "tag"})
        result.tables.append(RawTable("interactions", tags, str(found["tags"])))
    if "movies" in frames:
        items = _items(frames["movies"], frames.get("links"), result)
        result.tables.append(RawTable("items", items, str(found["movies"])))
    elif "links" in frames:
        result.notes.append(f"{found['links']}: read, but there is no movies file to attach the links to")
    if "users" in frames:
        result.tables.append(RawTable("users", _users(frames["users"], result), str(found["users"])))
    return result
