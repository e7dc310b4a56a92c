"""The kinds of inbox file and the canonical columns each kind lands.

Every configured source (config/sources.yml) is of one kind. All files of a kind land as
text into `raw.<kind>_rows` (canonical columns) and `raw.<kind>_segments` (one row per
segment value); validation then decides, row by row, what is valid, excluded or
quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The channels a response or an invitation may come through (lower-case, after trimming).
CHANNELS: tuple[str, ...] = ("email", "sms", "web", "app", "phone", "store")
# Customer NPS and employee eNPS are kept apart in every mart.
SURVEY_TYPES: tuple[str, ...] = ("customer", "employee")

SEGMENT_PREFIX = "segment_"


@dataclass(frozen=True)
class RowKind:
    name: str  # the kind: responses | invitations | followups
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str
    # Every timestamp column; the first is the event's time (used for periods and GX).
    timestamp_columns: tuple[str, ...]
    # Personal data: replaced by a keyed pseudonym (column -> pseudonym column) as it
    # lands; the clear value is never stored.
    personal_columns: dict[str, str] = field(default_factory=lambda: {"respondent_id": "respondent_key"})
    # Free text: redacted (emails, phone and national id numbers) before it is stored as
    # valid; left out of quarantine's raw values.
    free_text_columns: tuple[str, ...] = ()
    score_column: str | None = None
    channel_column: str | None = "channel"
    # Columns with a closed set of values (lower-cased) and the value when empty.
    enumerations: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    # The column naming the invitation a row answers: validation records which invitations
    # gained or lost a valid answer, so the invitation cohort is rebuilt for those only.
    answers_column: str | None = None

    @property
    def timestamp_column(self) -> str:
        return self.timestamp_columns[0]

    def raw_column(self, column: str) -> str:
        """The column's name in the raw and validated tables (a pseudonym for personal data)."""
        return self.personal_columns.get(column, column)

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


RESPONSES = RowKind(
    name="responses",
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
        # customer (NPS) or employee (eNPS); empty means customer.
        "survey_type",
        # B2B: the respondent's account (company) and role in it.
        "account_id",
        "respondent_role",
        # Survey-tool fields: a response's status (previews, spam), whether it was
        # finished, and the tool's own NPS group (1 detractor, 2 passive, 3 promoter).
        "status",
        "finished",
        "nps_group",
    ),
    required=("response_id", "survey_id", "responded_at", "score", "channel"),
    id_column="response_id",
    timestamp_columns=("responded_at",),
    free_text_columns=("reason", "improvement"),
    score_column="score",
    enumerations={"survey_type": (SURVEY_TYPES, "customer")},
    answers_column="invitation_id",
)

INVITATIONS = RowKind(
    name="invitations",
    columns=(
        "invitation_id",
        "survey_id",
        "respondent_id",
        "sent_at",
        "channel",
        # The survey tool's delivery funnel, when it reports it.
        "delivered_at",
        "opened_at",
        "started_at",
        "completed_at",
    ),
    required=("invitation_id", "survey_id", "sent_at", "channel"),
    id_column="invitation_id",
    timestamp_columns=("sent_at", "delivered_at", "opened_at", "started_at", "completed_at"),
)

FOLLOWUPS = RowKind(
    name="followups",
    columns=("response_id", "contacted_at", "resolved_at", "outcome", "owner"),
    required=("response_id",),
    id_column="response_id",
    timestamp_columns=("contacted_at", "resolved_at"),
    personal_columns={"owner": "owner_key"},
    free_text_columns=("outcome",),
    channel_column=None,
)

# Columns survey tools add to responses (Qualtrics Status / Finished / Q_NPS_GROUP).
SURVEY_TOOL_COLUMNS = ("status", "finished", "nps_group")

ROW_KINDS: tuple[RowKind, ...] = (RESPONSES, INVITATIONS, FOLLOWUPS)
ROW_KIND_BY_NAME: dict[str, RowKind] = {kind.name: kind for kind in ROW_KINDS}
