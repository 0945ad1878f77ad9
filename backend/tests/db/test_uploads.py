"""db/uploads.py: the rows behind training uploads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.db import uploads
from sightline.db.models import TrainingUploadRow
from sightline.db.session import session_scope


def add(session: Session, sha: str, class_name: str) -> bool:
    return uploads.record_upload(
        session=session,
        classifier="cifar10",
        sha256=sha,
        class_name=class_name,
        size_bytes=1,
        path=f"{sha[:2]}/{sha}",
        original_filename=f"{class_name}.png",
    )


def test_counts_existence_and_use(session: Session) -> None:
    for sha, name in (("a" * 64, "circle"), ("b" * 64, "circle"), ("c" * 64, "square")):
        assert add(session, sha, name)
    assert uploads.upload_counts(session=session, classifier="cifar10") == {
        "circle": 2,
        "square": 1,
    }
    assert uploads.upload_exists(session=session, classifier="cifar10", sha256="a" * 64)
    assert not uploads.upload_exists(session=session, classifier="cifar10", sha256="d" * 64)
    rows = uploads.all_uploads(session=session, classifier="cifar10")
    assert [r.sha256[0] for r in rows] == ["a", "b", "c"]  # oldest first
    assert (rows[0].original_filename, rows[0].path) == ("circle.png", f"aa/{'a' * 64}")
    uploads.mark_used(session=session, upload_ids=[rows[0].id], job_id="job1")
    session.expire_all()
    assert sorted(uploads.unused_upload_hashes(session=session, classifier="cifar10")) == [
        "b" * 64,
        "c" * 64,
    ]


def test_the_same_bytes_are_recorded_once(migrated: Settings) -> None:
    with session_scope(migrated) as session:
        assert add(session, "a" * 64, "circle")
    with session_scope(migrated) as session:
        assert not add(session, "a" * 64, "square")
        assert add(session, "b" * 64, "square")  # the refusal rolled back only its insert
    with session_scope(migrated) as session:
        assert uploads.upload_counts(session=session, classifier="cifar10") == {
            "circle": 1,
            "square": 1,
        }


def test_bulk_inserted_rows_are_read_back(session: Session) -> None:
    for sha in ("a" * 64, "b" * 64):
        uploads.insert_upload(
            session=session,
            row=TrainingUploadRow(
                classifier="cifar10", sha256=sha, class_name="circle", size_bytes=1, path=sha
            ),
        )
    session.flush()
    assert uploads.upload_counts(session=session, classifier="cifar10") == {"circle": 2}
