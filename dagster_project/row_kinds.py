"""The kinds of inbox file and the canonical columns each kind lands.

Every configured source (config/sources.yml) is of one kind. All files of a kind land as
text into `raw.<kind>_rows` (canonical columns) and `raw.<kind>_segments` (one row per
segment value); validation then decides, row by row, what is valid, excluded or
quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster_project.validation.value_sql import month_text_sql

# The channels a response or an invitation may come through (lower-case, after trimming).
CHANNELS: tuple[str, ...] = ("email", "sms", "web", "app", "phone", "store")
# Customer NPS and employee eNPS are kept apart in every mart.
SURVEY_TYPES: tuple[str, ...] = ("customer", "employee")

SEGMENT_PREFIX = "segment_"


@dataclass(frozen=True)
class RowKind:
    name: str  # the kind: responses | invitations | followups | customers | revenue
    columns: tuple[str, ...]
    required: tuple[str, ...]
    id_column: str
    # Every timestamp column; the first is the event's time (used for periods and GX).
    timestamp_columns: tuple[str, ...] = ()
    # Further columns of the row's id (revenue: a customer's month); empty: `id_column` alone.
    more_id_columns: tuple[str, ...] = ()
    # A later export holds the whole record again (a CRM or billing export): the earlier row
    # of a repeated id is excluded as replaced, not quarantined as an error.
    later_export_replaces: bool = False
    # Calendar dates (YYYY-MM-DD or DD.MM.YYYY), pairs that must be in order (earlier, later),
    # months (YYYY-MM), money (decimal, Nordic `1 234,50` too) and its currency.
    date_columns: tuple[str, ...] = ()
    ordered_dates: tuple[tuple[str, str], ...] = ()
    month_column: str | None = None
    amount_column: str | None = None
    currency_column: str | None = None
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
    def timestamp_column(self) -> str | None:
        return self.timestamp_columns[0] if self.timestamp_columns else None

    @property
    def id_columns(self) -> tuple[str, ...]:
        return (self.id_column, *self.more_id_columns)

    @property
    def id_label(self) -> str:
        """The id as reasons name it (`customer_id + month` for a composite one)."""
        return " + ".join(self.id_columns)

    def id_sql(self, table: str | None = None) -> str:
        """SQL of the row's id over the raw or validated table (NULL when a part is empty).
        Both tables hold the same trimmed text and pseudonyms, so the id is the same."""
        prefix = f"{table}." if table else ""
        parts = [
            month_text_sql(f"{prefix}{c}")
            if c == self.month_column
            else f"nullif(trim({prefix}{self.raw_column(c)}), '')"
            for c in self.id_columns
        ]
        if len(parts) == 1:
            return parts[0]
        present = " and ".join(f"{part} is not null" for part in parts)
        joined = " || '|' || ".join(parts)
        return f"case when {present} then {joined} end"

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

# A CRM export: one row per customer; a later export of the same customer replaces it.
CUSTOMERS = RowKind(
    name="customers",
    columns=("customer_id", "email", "account_id", "acquired_at", "acquisition_source", "churned_at"),
    required=("customer_id",),
    id_column="customer_id",
    # Compared with the answers' respondent ids on pseudonyms only (same key, same folding).
    personal_columns={"customer_id": "customer_key", "email": "email_key"},
    channel_column=None,
    later_export_replaces=True,
    date_columns=("acquired_at", "churned_at"),
    ordered_dates=(("acquired_at", "churned_at"),),
)

# A billing export: a customer's revenue in a month (credit notes negative).
REVENUE = RowKind(
    name="revenue",
    columns=("customer_id", "month", "revenue", "currency"),
    required=("customer_id", "month", "revenue", "currency"),
    id_column="customer_id",
    more_id_columns=("month",),
    personal_columns={"customer_id": "customer_key"},
    channel_column=None,
    later_export_replaces=True,
    month_column="month",
    amount_column="revenue",
    currency_column="currency",
)

# Columns survey tools add to responses (Qualtrics Status / Finished / Q_NPS_GROUP).
SURVEY_TOOL_COLUMNS = ("status", "finished", "nps_group")

ROW_KINDS: tuple[RowKind, ...] = (RESPONSES, INVITATIONS, FOLLOWUPS, CUSTOMERS, REVENUE)
ROW_KIND_BY_NAME: dict[str, RowKind] = {kind.name: kind for kind in ROW_KINDS}
