"""A retrieved chunk with everything needed to cite it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.catalog import ChunkRecord


@dataclass
class Hit:
    """One retrieved chunk with everything needed to cite it."""

    id: int
    text: str
    score: float
    source: str  # how clients name the document: its URL, or "<source name>/<path>" (index/catalog.py)
    location: str  # where the server read it: a local file's absolute path, else the URL (never sent out)
    source_id: str
    path: str
    title: str
    heading: str
    url: str
    anchor: str
    start: int
    end: int
    doc_id: str
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def hit_from_record(rec: ChunkRecord, score: float, parts: dict[str, float]) -> Hit:
    return Hit(
        id=rec.id,
        text=rec.text,
        score=float(score),
        source=rec.public_source,
        location=rec.location or rec.source_id,
        source_id=rec.source_id,
        path=rec.path,
        title=rec.title,
        heading=rec.heading,
        url=rec.citation_url,
        anchor=rec.anchor,
        start=rec.start,
        end=rec.end,
        doc_id=rec.doc_id,
        scores=parts,
    )
