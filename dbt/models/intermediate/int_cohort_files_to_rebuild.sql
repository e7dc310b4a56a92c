-- The invitation files whose cohort an incremental build counts again (macro
-- changed_cohort_files): the invitation files that changed, and those holding an invitation
-- whose answer came or went since the last build (validation records those invitations in
-- `answers_touched`). Listed once per build for the pre-hooks and models of the
-- by_invitation_file folder, which read it eight times: each lookup scanned the id of every
-- invitation in the lake.
-- Its parents are those of the folder's models, so it is built whenever they are
-- (dagster_project/defs/transform/selection.py); the sources it reads through the macros
-- (the files' verdicts, the answers touched) count only when it runs.
-- depends_on: {{ ref('int_invitations_answered') }}
-- depends_on: {{ ref('stg_inbox__invitation_segments') }}
-- depends_on: {{ ref('surveys') }}
{{ config(materialized='table') }}

{%- if execute %}

with

changed as (

    select changed_files.file_id from {{ changed_files() }} as changed_files

),

touched as (

    select answers_touched.invitation_id
    from {{ source('inbox', 'answers_touched') }} as answers_touched
    where answers_touched.validation_seq > {{ built_through_seq() }}

),

touched_files as (

    select invitations.source_file_id as file_id
    from {{ ref('stg_inbox__invitations') }} as invitations
    where invitations.invitation_id in (select touched.invitation_id from touched)

)

select file_id from changed
union
select file_id from touched_files

{%- else %}

select source_file_id as file_id from {{ ref('stg_inbox__invitations') }}

{%- endif %}
