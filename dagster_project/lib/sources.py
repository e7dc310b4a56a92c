"""The inbox sources and the canonical columns each one lands.

A source is a folder of the inbox (`NPS_RAW_DIR/<folder>/`) holding files of one kind.
Every file is landed as text into `raw.<name>_rows` (canonical columns) and
`raw.<name>_segments` (one row per `segment_<name>` value); validation then decides,
row by row, what is valid and what goes to quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass

# The channels a response or an invitation may come through (lower-case, after trimming).
CHANNELS: tuple[str, ...] = ("email", "sms", "web", "app", "phone", "store")

SEGMENT_PREFIX = "segment_"


@dataclass(frozen=True)
class SourceSpec:
    name: str
    folder: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str
    timestamp_column: str
    # Columns with personal data: pseudonymised on validation, never shown in quarantine.
    personal_columns: tuple[str, ...] = ("respondent_id",)
    # Free text: kept for valid rows, left out of quarantine's raw values.
    free_text_columns: tuple[str, ...] = ()
    score_column: str | None = None

    @property
    def rows_table(self) -> str:
        return f"raw.{self.name}_rows"

    @property
    def segments_table(self) -> str:
        return f"raw.{self.name}_segments"

    @property
    def valid_table(self) -> str:
        return f"validated.{self.name}"

    @property
    def quarantine_table(self) -> str:
        return f"validated.{self.name}_quarantine"


RESPONSES = SourceSpec(
    name="responses",
    folder="responses",
    columns=(
        "response_id",
        "survey_id",
        "invitation_id",
        "respondent_id",
        "responded_at",
        "score",
        "channel",
        "reason",
        "improvement",
    ),
    required=("response_id", "survey_id", "responded_at", "score", "channel"),
    id_column="response_id",
    timestamp_column="responded_at",
    free_text_columns=("reason", "improvement"),
    score_column="score",
)

INVITATIONS = SourceSpec(
    name="invitations",
    folder="invitations",
    columns=("invitation_id", "survey_id", "respondent_id", "sent_at", "channel"),
    required=("invitation_id", "survey_id", "sent_at", "channel"),
    id_column="invitation_id",
    timestamp_column="sent_at",
)

SOURCES: tuple[SourceSpec, ...] = (RESPONSES, INVITATIONS)
