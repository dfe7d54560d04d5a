"""The knowledge base: Markdown chunked by heading, indexed in Chroma with the bundled MiniLM.

Loading the model costs several seconds on a busy 2-core machine, so it is loaded once per test
process (agent.knowledge.embeddings) and one index of the shipped documents is shared by the
search tests; the re-index tests work on their own small copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.knowledge import (
    KB_DIR,
    ChromaRetriever,
    KnowledgeBaseError,
    Passage,
    chunk_markdown,
    select_passages,
    sms_excerpt,
)

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> ChromaRetriever:
    retriever = ChromaRetriever(tmp_path_factory.mktemp("kb-index"), kb_dir=KB_DIR)
    retriever.index()
    return retriever


def test_chunks_follow_headings_and_keep_the_title() -> None:
    text = "# Paying\n\nIntro line\nwrapped.\n\n## By card\n\nUse the portal.\n\n## Empty\n\n"
    chunks = chunk_markdown(text, "pay.md")
    assert [(c.heading, c.text) for c in chunks] == [
        ("Paying", "Intro line wrapped."),
        ("By card", "Use the portal."),
    ]
    assert all(c.title == "Paying" for c in chunks)
    assert chunks[1].embedded_text() == "Paying. By card. Use the portal."


def test_every_shipped_document_is_indexed(shipped: ChromaRetriever) -> None:
    names = {p.name for p in KB_DIR.glob("*.md")}
    assert len(names) >= 6
    report = shipped.index()
    assert set(report.unchanged) == names and report.indexed == () and report.chunks > len(names)


def test_how_can_i_pay_finds_the_payment_methods(shipped: ChromaRetriever) -> None:
    passages = shipped.search("how can I pay", 3)
    assert "payment-methods.md" in {p.source for p in passages}
    assert passages == sorted(passages, key=lambda p: -p.score)
    assert all(p.chunk_id.startswith(p.source + "#") for p in passages)


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("I lost my job and I can't afford the payments", "hardship-programme.md"),
        ("this debt is not mine, I want to dispute it", "disputes.md"),
        ("what do you do with my personal data", "privacy-notice.md"),
        ("what time are you open on saturday", "contact-hours.md"),
    ],
)
def test_questions_find_their_document(
    shipped: ChromaRetriever, question: str, source: str
) -> None:
    assert source in {p.source for p in shipped.search(question, 3)}


def test_blank_or_huge_queries(shipped: ChromaRetriever) -> None:
    assert shipped.search("   ", 3) == []
    assert len(shipped.search("pay " * 50_000, 2)) == 2


def test_changed_file_is_reindexed_and_deleted_file_removed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("payment-methods.md", "faq.md", "privacy-notice.md"):
        shutil.copy(KB_DIR / name, docs / name)
    retriever = ChromaRetriever(tmp_path / "index", kb_dir=docs)
    first = retriever.index()
    assert sorted(first.indexed) == ["faq.md", "payment-methods.md", "privacy-notice.md"]

    with (docs / "faq.md").open("a", encoding="utf-8") as f:
        f.write("\n## Can I pay with cryptocurrency?\n\nNo, we accept only the listed methods.\n")
    (docs / "privacy-notice.md").unlink()
    again = ChromaRetriever(tmp_path / "index", kb_dir=docs)  # a restart: same folder
    second = again.index()
    assert second.indexed == ("faq.md",)
    assert second.unchanged == ("payment-methods.md",)
    assert second.removed == ("privacy-notice.md",)
    [top] = again.search("can I pay in bitcoin or crypto", 1)
    assert top.heading == "Can I pay with cryptocurrency?"
    everything = again.search("personal information privacy data sharing", 50)
    assert "privacy-notice.md" not in {p.source for p in everything}
    faq_ids = [p.chunk_id for p in everything if p.source == "faq.md"]
    assert (
        len(faq_ids)
        == len(set(faq_ids))
        == len(chunk_markdown((docs / "faq.md").read_text(), "faq.md"))
    )


def test_missing_folder_and_bad_encoding_are_explained(tmp_path: Path) -> None:
    retriever = ChromaRetriever(tmp_path / "index", kb_dir=tmp_path / "nope")
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        retriever.index()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "latin1.md").write_bytes("# Caf\xe9\n\nprix\n".encode("latin-1"))
    retriever = ChromaRetriever(tmp_path / "index", kb_dir=tmp_path / "docs")
    with pytest.raises(KnowledgeBaseError, match="not UTF-8"):
        retriever.index()


class Fixed:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def search(self, query: str, k: int) -> list[Passage]:
        return self.passages[:k]


def passage(text: str, score: float) -> Passage:
    return Passage(source="x.md", heading="h", text=text, score=score)


def test_select_passages_skips_weak_and_unfit_ones() -> None:
    found = [passage("weak", 0.1), passage("bad", 0.9), passage("good", 0.8), passage("ok", 0.7)]
    found.sort(key=lambda p: -p.score)

    def fits(chosen: Sequence[Passage]) -> bool:
        return all(p.text != "bad" for p in chosen)

    chosen = select_passages(Fixed(found), "q", fits=fits, limit=2)
    assert [p.text for p in chosen] == ["good", "ok"]
    assert select_passages(Fixed([passage("weak", 0.1)]), "q", fits=fits) == []


def test_sms_excerpt_is_the_first_sentence() -> None:
    assert sms_excerpt("Pay online.  Or by\nphone.") == "Pay online."
    assert sms_excerpt("No full stop") == "No full stop"
