"""Assemble the synthetic sample into a ``Dataset`` (see the package docstring)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from recreason.data.dataset import Dataset, frame_from_arrow
from recreason.data.schema import SCHEMAS, dump_json
from recreason.sample import behaviour, references, reviews
from recreason.sample.behaviour import EVENTS, SCENES, Behaviour
from recreason.sample.catalog import CATEGORIES, LANGS
from recreason.sample.items import ItemInfo, build_items
from recreason.sample.users import DEVICES, UserInfo, build_users, category_rank

REFERENCE_SHARE = 0.6


def _write_reviews(rng: np.random.Generator, beh: Behaviour, users: UserInfo, items: ItemInfo) -> list:
    """Review text for every review row; ratings are nudged in place where the item forces it."""
    texts: list[str | None] = [None] * len(beh.user)
    for r in beh.review_row:
        u, i = int(beh.user[r]), int(beh.item[r])
        cat = CATEGORIES[items.cat[i]]
        lang = LANGS[users.lang[u]]
        same = users.lang[u] == items.lang[i]
        rating, said = reviews.choose_aspects(rng, int(beh.rating[r]), items.qualities(i), users.cared(u))
        beh.rating[r] = rating
        texts[r] = reviews.compose(rng, cat, lang, rating, said, items.attributes[i] if same else {},
                                   float(items.price[i]) if same else None)
    return texts


def _write_references(rng: np.random.Generator, beh: Behaviour, users: UserInfo, items: ItemInfo) -> list:
    rated = {(int(u), int(i)): r for u, i, r in zip(beh.user, beh.item, beh.rating, strict=True) if not np.isnan(r)}
    seen, rows = set(), []
    ts = beh.ts
    for r in np.flatnonzero(beh.event == EVENTS.index("purchase")):
        u, i = int(beh.user[r]), int(beh.item[r])
        if (u, i) in seen or users.lang[u] != items.lang[i]:
            continue
        seen.add((u, i))
        if rated.get((u, i), 5) < 4 or rng.random() >= REFERENCE_SHARE:
            continue
        cat = CATEGORIES[items.cat[i]]
        ref = references.make_reference(
            rng, cat, LANGS[items.lang[i]], items.attributes[i], float(items.price[i]), items.qualities(i),
            users.cared(u), users.declared[u], category_rank(users, u, cat.id))
        if ref is not None:
            ref.update(user_id=users.ids[u], item_id=items.ids[i], split=str(behaviour.split_of(ts[r : r + 1])[0]))
            rows.append(ref)
    return rows


def _table(name: str, columns: dict) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.table([pa.array(columns[f.name], type=f.type, from_pandas=True) for f in schema], schema=schema)


def build(seed: int = 0, n_users: int = 3000, n_items: int = 600) -> Dataset:
    item_rng, user_rng, behaviour_rng, text_rng = (np.random.default_rng(s)
                                                    for s in np.random.SeedSequence(seed).spawn(4))
    item_rows, items = build_items(item_rng, n_items)
    user_rows, users = build_users(user_rng, n_users)
    beh = behaviour.simulate(behaviour_rng, users, items)
    texts = _write_reviews(text_rng, beh, users, items)
    refs = _write_references(text_rng, beh, users, items)

    item_table = _table("items", {
        **{k: [row[k] for row in item_rows] for k in ("item_id", "title", "category", "description", "price",
                                                     "brand", "language")},
        "attributes": [dump_json(row["attributes"]) for row in item_rows],
    })
    user_table = _table("users", {
        **{k: [row[k] for row in user_rows] for k in ("user_id", "interests", "profile_text", "language")},
        "demographics": [dump_json(row["demographics"]) for row in user_rows],
    })
    contexts = np.array([dump_json({"scene": s, "device": d}) for s in SCENES for d in DEVICES], dtype=object)
    inter_table = _table("interactions", {
        "user_id": np.array(users.ids, dtype=object)[beh.user],
        "item_id": np.array(items.ids, dtype=object)[beh.item],
        "event": np.array(EVENTS, dtype=object)[beh.event],
        "rating": beh.rating,
        "review": texts,
        "timestamp": beh.ts.astype(np.int64),
        "context": contexts[beh.scene * len(DEVICES) + beh.device],
        "split": behaviour.split_of(beh.ts).astype(object),
    })
    ref_table = _table("references", {f.name: [row[f.name] for row in refs] for f in SCHEMAS["references"]})
    return Dataset(items=frame_from_arrow(item_table), users=frame_from_arrow(user_table),
                   interactions=frame_from_arrow(inter_table), references=frame_from_arrow(ref_table),
                   name="sample")
