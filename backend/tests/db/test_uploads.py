"""db/uploads.py: the rows behind training uploads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sightline.db import uploads
from sightline.db.models import TrainingUploadRow


def add(session: Session, sha: str, class_name: str) -> None:
    uploads.insert_upload(
        session=session,
        row=TrainingUploadRow(
            sha256=sha, class_name=class_name, size_bytes=1, path=f"{sha[:2]}/{sha}"
        ),
    )


def test_counts_existence_and_use(session: Session) -> None:
    for sha, name in (("a" * 64, "circle"), ("b" * 64, "circle"), ("c" * 64, "square")):
        add(session, sha, name)
    session.flush()
    assert uploads.upload_counts(session=session) == {"circle": 2, "square": 1}
    assert uploads.upload_exists(session=session, sha256="a" * 64)
    assert not uploads.upload_exists(session=session, sha256="d" * 64)
    rows = uploads.all_uploads(session=session)
    assert [r.sha256[0] for r in rows] == ["a", "b", "c"]  # oldest first
    uploads.mark_used(session=session, upload_ids=[rows[0].id], job_id="job1")
    session.expire_all()
    assert sorted(uploads.unused_upload_hashes(session=session)) == ["b" * 64, "c" * 64]
