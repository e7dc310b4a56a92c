{#- Incremental by landed file.

    Validation records, per landed file, the validation run that last changed its valid
    rows (`validated.file_verdicts.validation_seq`: a new file, a file whose row lost an id
    to a later file, a replaced file). The Dagster dbt asset passes the last sequence dbt
    has built from as var `nps_built_through_seq` (and `--full-refresh` when the
    configuration changed or nothing was built yet). An incremental model then deletes
    the rows of the files changed since (pre-hook `delete_changed_files`) and inserts
    their rows anew (filter `only_changed_files`): cost follows the new data, and the
    result equals a full build. Without the var every file counts as changed. -#}

{% macro built_through_seq() -%}
    {%- set since = var('nps_built_through_seq', none) -%}
    {{ since if since is not none else -1 }}
{%- endmacro %}

{% macro changed_files() -%}
    (select file_id from {{ source('inbox', 'file_verdicts') }}
     where validation_seq > {{ built_through_seq() }})
{%- endmacro %}

{#- The invitation cohort of a file changes with the file, and when a response answering
    one of its invitations arrives or goes away (validation records those invitations in
    `answers_touched`): the invitation files to count again. -#}
{% macro changed_cohort_files() -%}
    (select file_id from {{ changed_files() }} as changed
     union
     select source_file_id from {{ ref('stg_inbox__invitations') }}
     where invitation_id in (
         select invitation_id from {{ source('inbox', 'answers_touched') }}
         where validation_seq > {{ built_through_seq() }}))
{%- endmacro %}

{#- Which files to rebuild: `files` = 'landed' (changed_files) or 'cohort' (changed_cohort_files).
    Chosen by name, inside is_incremental(), so that a full build reads neither list. -#}
{% macro files_to_rebuild(files) -%}
    {%- if files == 'landed' -%} {{ changed_files() }}
    {%- elif files == 'cohort' -%} {{ changed_cohort_files() }}
    {%- else -%} {{ exceptions.raise_compiler_error("files must be 'landed' or 'cohort', not " ~ files) }}
    {%- endif -%}
{%- endmacro %}

{#- A predicate: true for the rows of changed files on an incremental run, else always. -#}
{% macro only_changed_files(file_id_column='source_file_id', files='landed') -%}
    {%- if is_incremental() -%}
        {{ file_id_column }} in {{ files_to_rebuild(files) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental model: remove the rows of changed files before they are
    inserted again (files whose rows all went away leave nothing behind). -#}
{% macro delete_changed_files(file_id_column='source_file_id', files='landed') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ file_id_column }} in {{ files_to_rebuild(files) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
