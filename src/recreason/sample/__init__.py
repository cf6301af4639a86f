"""The embedded sample: a deterministic, SYNTHETIC bilingual (zh + en) shopping data set.

**All of this data is synthetic.** Users, items, brands, behaviour, reviews and reference reasons are
generated here from a seeded ``numpy.random.Generator``; none of it comes from, or describes, real
people, products or trademarks. It lets ``recreason demo`` and the tests run with no data at hand.

What it holds (default size): ~3,000 users, 600 items in ten categories (half Chinese, half English),
~100k interactions over 180 days (view -> click -> cart -> purchase, then ratings and short reviews)
and a few thousand reference reasons. Hidden tastes drive everything: each user cares about a few
aspects (battery, screen, cushioning, flavour ...) and has a price sensitivity; each item has a real
quality on each aspect, read from its attribute values (``catalog.aspect_qualities``). Reviews and
references only praise what is good and only criticise what is weak, so the sample can be used to check
that generated reasons are true.

It includes the seed's case (seed.md 4.3): user ``u_seed`` ("喜欢购买电子产品", a history of electronics
purchases) and item ``i_seed_phone`` ("最新款智能手机", with 处理器, 屏幕, 电池 / 续航 and 相机).

    build_sample(seed=0, n_users=3000, n_items=600) -> Dataset          # name "sample"
    write_sample(folder, seed=0, n_users=..., n_items=...) -> {table: path}   # native raw files + README
"""

from __future__ import annotations

from pathlib import Path

from recreason.data.dataset import Dataset
from recreason.sample.build import build
from recreason.sample.files import write_dataset
from recreason.sample.items import SEED_ITEM_ID
from recreason.sample.users import SEED_INTEREST, SEED_USER_ID

__all__ = ["SEED_INTEREST", "SEED_ITEM_ID", "SEED_USER_ID", "build_sample", "write_sample"]


def build_sample(seed: int = 0, n_users: int = 3000, n_items: int = 600) -> Dataset:
    """The synthetic sample as a ``Dataset`` named "sample"; the same arguments give identical tables."""
    return build(seed=seed, n_users=n_users, n_items=n_items)


def write_sample(folder: Path, seed: int = 0, **sizes: int) -> dict[str, Path]:
    """Write ``items.jsonl``, ``users.jsonl``, ``interactions.csv``, ``references.jsonl`` and a README.md
    (which says the data is synthetic) into ``folder``; returns the four paths by table name.

    ``sizes``: ``n_users`` and / or ``n_items`` as for ``build_sample``.
    """
    unknown = set(sizes) - {"n_users", "n_items"}
    if unknown:
        raise TypeError(f"write_sample() got unexpected size arguments: {', '.join(sorted(unknown))}")
    return write_dataset(build_sample(seed=seed, **sizes), Path(folder), seed)
