"""The kinds of inbox file and the canonical columns each kind lands.

Every configured source (config/sources.yml) is of one kind. All files of a kind land as
text into `raw.<kind>_rows` (canonical columns) and `raw.<kind>_segments` (one row per
segment value); validation then decides, row by row, what is valid, excluded or
quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass

# The channels a response or an invitation may come through (lower-case, after trimming).
CHANNELS: tuple[str, ...] = ("email", "sms", "web", "app", "phone", "store")

SEGMENT_PREFIX = "segment_"


@dataclass(frozen=True)
class SourceSpec:
    name: str  # the kind: responses | invitations
    folder: str  # the folder of its canonical CSV source
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
        # Survey-tool fields: a response's status (previews, spam), whether it was
        # finished, and the tool's own NPS group (1 detractor, 2 passive, 3 promoter).
        "status",
        "finished",
        "nps_group",
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

# Columns survey tools add to responses (Qualtrics Status / Finished / Q_NPS_GROUP).
SURVEY_TOOL_COLUMNS = ("status", "finished", "nps_group")

SOURCES: tuple[SourceSpec, ...] = (RESPONSES, INVITATIONS)
KINDS: dict[str, SourceSpec] = {spec.name: spec for spec in SOURCES}
